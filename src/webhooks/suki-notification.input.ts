import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { OpenSchema } from '../common/openapi-marks';
import { MAX_ID_LENGTH } from '../suki/vendor-id';
import { ArtifactKind } from '../generated/prisma/enums';

/**
 * The documented form of the body Suki POSTs to /webhooks/notification. Documentation only: the
 * body is read raw, after its signature, by parseNotification (src/suki/notification.ts), and that
 * parser decides what is required. These classes must say what it accepts.
 */
@OpenSchema({
  name: 'SukiLink',
  description: 'A link to a resource at Suki. Only relative hrefs (or absolute ones on the configured base URL) are ever called.',
})
export class SukiLinkInput {
  @ApiPropertyOptional({ example: '/api/v1/ambient/session/a953839a-ddcd-407d-b9b0-3ed4b6be4be2/content' })
  href?: string;

  @ApiPropertyOptional({ example: 'GET' })
  method?: string;

  @ApiPropertyOptional({ example: 'contents' })
  name?: string;

  @ApiPropertyOptional({ example: 'application/json' })
  type?: string;
}

const LINK_LIST = { type: 'array', items: { $ref: getSchemaPath(SukiLinkInput) } } as const;

@OpenSchema({
  name: 'SukiNotification',
  description:
    'A notification as Suki sends it. Unknown fields are accepted and kept verbatim; optional fields of the wrong type are ' +
    'ignored. Only `session_id` and `encounter_id` are required: a body without a usable one cannot be attributed to a ' +
    'session (400). A missing or unknown `status` is kept and answered 202 `unrecognized`.',
})
export class SukiNotificationInput {
  @ApiPropertyOptional({
    description:
      'Case-insensitive. `success` → completed; `failure` → failed; `timeout`, `timed_out`, `time_out`, `session_timeout` → ' +
      'timed_out; `cancelled`, `canceled`, `cancellation`, `aborted`, `session_cancelled` → cancelled; anything else (or none) ' +
      'is recorded and answered 202 `unrecognized`.',
    example: 'success',
  })
  status?: string;

  @ApiProperty({
    minLength: 1,
    maxLength: MAX_ID_LENGTH,
    description: "Suki's session id, exactly as sent: non-empty, at most 255 characters, no control or format characters.",
    example: 'a953839a-ddcd-407d-b9b0-3ed4b6be4be2',
  })
  session_id: string;

  @ApiProperty({
    minLength: 1,
    maxLength: MAX_ID_LENGTH,
    description: "Suki's encounter id, with the same rules as session_id.",
    example: '4d753ce1-bbff-43e1-950a-82dea2d86873',
  })
  encounter_id: string;

  @ApiPropertyOptional({
    type: [String],
    description:
      'success: session ids of this encounter; each becomes a known session (up to SUKI_WEBHOOK_MAX_KNOWN_SESSIONS; the rest are counted).',
  })
  sessions?: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { priority: 'high' } })
  additional_info?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'failure: the error code.', example: 'ERROR_CODE_TRANSCRIPTION' })
  error_code?: string;

  @ApiPropertyOptional({ description: 'failure: details of the error, if any.', example: 'Error in transcription' })
  error_detail?: string;

  @ApiPropertyOptional({
    type: 'object',
    description: 'success: resources to retrieve, each key an array of links. Which keys are fetched is set by SUKI_FETCH_LINKS.',
    properties: Object.fromEntries(Object.values(ArtifactKind).map((kind) => [kind, LINK_LIST])),
    additionalProperties: true,
  })
  _links?: Record<string, SukiLinkInput[]>;
}

export const SUCCESS_EXAMPLE = {
  _links: {
    contents: [
      {
        href: '/api/v1/ambient/session/a953839a-ddcd-407d-b9b0-3ed4b6be4be2/content',
        method: 'GET',
        name: 'contents',
        type: 'application/json',
      },
    ],
    encounter_content: [
      {
        href: '/api/v1/ambient/encounter/4d753ce1-bbff-43e1-950a-82dea2d86873/content',
        method: 'GET',
        name: 'encounter_content',
        type: 'application/json',
      },
    ],
  },
  additional_info: { priority: 'high' },
  encounter_id: '4d753ce1-bbff-43e1-950a-82dea2d86873',
  session_id: 'a953839a-ddcd-407d-b9b0-3ed4b6be4be2',
  sessions: ['20965414-929a-4f71-a3e5-b92bec07d086'],
  status: 'success',
};

export const FAILURE_EXAMPLE = {
  encounter_id: '29de56bc-960a-4cd5-b18f-79a798d62874',
  session_id: '20965414-929a-4f71-a3e5-b92bec07d086',
  error_code: 'ERROR_CODE_TRANSCRIPTION',
  error_detail: 'Error in transcription',
  status: 'failure',
};
