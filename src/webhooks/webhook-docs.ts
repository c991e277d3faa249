import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiHeaders, ApiOperation, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorOutput } from '../common/error.output';
import { FAILURE_EXAMPLE, SUCCESS_EXAMPLE, SukiLinkInput, SukiNotificationInput } from './suki-notification.input';
import { WebhookOutcomeOutput } from './webhook-outcome.output';

const DESCRIPTION =
  'Suki POSTs here once when an ambient session completes, fails, times out or is cancelled, and does not retry. ' +
  'The answer is sent only after the notification is committed (to the database, or to the local spool), so any 2xx ' +
  'means it is durable.\n\n' +
  '**Signature.** `X-API-Key` = hex(HMAC-SHA256(secret, `generated-at` + ":" + raw body)) over the exact bytes sent, ' +
  'compared in constant time, either hex case, against every secret in SUKI_WEBHOOK_SECRETS. `generated-at` must be within ' +
  'SUKI_WEBHOOK_TOLERANCE_MS (default 300 s) of the server clock, either way.\n\n' +
  '**State.** A session reflects the authentic event with the latest `generated-at` (ties: the later arrival). Older ones are ' +
  'kept in its timeline (GET /v1/sessions/{sessionId}/events). Exact repeats (same `generated-at`, same bytes) store nothing.';

function outcomes(status: number, description: string, values: string[]): MethodDecorator {
  return ApiResponse({
    status,
    type: WebhookOutcomeOutput,
    description,
    examples: Object.fromEntries(values.map((outcome) => [outcome, { summary: outcome, value: { outcome } }])),
  });
}

function error(status: number, description: string, message: string): MethodDecorator {
  const reason = ERROR_REASONS[status];
  return ApiResponse({ status, type: ErrorOutput, description, example: { statusCode: status, error: reason, message } });
}

const ERROR_REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  503: 'Service Unavailable',
};

/** The OpenAPI description of Suki's callback: its contract is the vendor's, so it reads as one piece. */
export function WebhookDocs(): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(SukiNotificationInput, SukiLinkInput),
    // No bearer token: Suki authenticates by its signature.
    ApiOperation({ summary: "Suki's notification callback (signed by Suki; no bearer token)", description: DESCRIPTION, security: [] }),
    ApiHeaders([
      {
        name: 'generated-at',
        required: true,
        description: 'When Suki built the request: milliseconds since the epoch, digits only. Part of the signed text.',
        schema: { type: 'string', pattern: '^[0-9]+$' },
        example: '1765977748432',
      },
      {
        name: 'X-API-Key',
        required: true,
        description: 'Not an API key: the hex HMAC-SHA256 signature of this request (see above).',
        schema: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
      },
    ]),
    ApiBody({
      required: true,
      description:
        'A Suki notification, at most SUKI_WEBHOOK_MAX_BODY_BYTES (default 1 MiB). Content-Type application/json (or application/*+json).',
      schema: { $ref: getSchemaPath(SukiNotificationInput) },
      examples: { success: { value: SUCCESS_EXAMPLE }, failure: { value: FAILURE_EXAMPLE } },
    }),
    outcomes(
      HttpStatus.OK,
      '`applied`: first receipt, recorded and applied (retrieval of its results queued). `duplicate`: the same notification ' +
        'again, nothing new written. `stale`: older than what the session reflects; kept for the timeline, session unchanged.',
      ['applied', 'duplicate', 'stale'],
    ),
    outcomes(
      HttpStatus.ACCEPTED,
      '`unrecognized`: authentic, but a status the service does not know; kept verbatim, session known as pending, a status ' +
        'check scheduled. `spooled`: the database is away; kept durable in the local spool and applied, in arrival order, ' +
        'once it answers.',
      ['unrecognized', 'spooled'],
    ),
    error(
      400,
      'Authentic, but not JSON or without a usable session_id / encounter_id. It is still stored, marked rejected.',
      'encounter_id is missing or not a usable id',
    ),
    error(
      401,
      'generated-at or X-API-Key missing, malformed, outside the tolerance window (all refused before the body is read, ' +
        'and the connection closed), or not matching. Nothing is stored.',
      'notification signature rejected: mismatch',
    ),
    error(413, 'Body over SUKI_WEBHOOK_MAX_BODY_BYTES. Nothing is stored.', 'body exceeds the size limit'),
    error(
      415,
      'Content-Type is not JSON, or the body has a Content-Encoding (the signature covers the bytes as sent; bodies are ' +
        'never inflated). Refused before the body is read; nothing is stored.',
      'Content-Type must be application/json',
    ),
    error(
      503,
      'Neither the database nor the local spool could take it (spool full or unwritable); nothing was stored (never a 2xx ' +
        'for data that is not durable).',
      'storage is unavailable; nothing was recorded',
    ),
  );
}
