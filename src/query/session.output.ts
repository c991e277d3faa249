import { ApiProperty } from '@nestjs/swagger';
import { DeliveryOutcome, SessionSource, SessionStatus } from '../generated/prisma/enums';
import { ArtifactSummaryOutput } from './artifact.output';

export class SessionSummaryOutput {
  @ApiProperty({ description: "Suki's session id.", example: 'a953839a-ddcd-407d-b9b0-3ed4b6be4be2' })
  sessionId: string;

  @ApiProperty({ description: "Suki's encounter id.", example: '4d753ce1-bbff-43e1-950a-82dea2d86873' })
  encounterId: string;

  @ApiProperty({
    enum: SessionStatus,
    enumName: 'SessionStatus',
    description: '`pending` while only known by name or after a status we do not recognise; `completed` means the note is ready at Suki.',
  })
  status: SessionStatus;

  @ApiProperty({
    enum: SessionSource,
    enumName: 'SessionSource',
    description:
      'How the outcome was learned: `notification`; `status_check` (Suki asked after a timeout, cancellation or unrecognised ' +
      'status); `reconciled` (polled because no notification came); `registered` while nothing is known yet.',
  })
  source: SessionSource;

  @ApiProperty({ type: String, nullable: true, description: "Suki's `error_code` of a failure.", example: 'ERROR_CODE_TRANSCRIPTION' })
  errorCode: string | null;

  @ApiProperty({ type: String, nullable: true, description: "Suki's `error_detail` of a failure.", example: 'Error in transcription' })
  errorDetail: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: "Suki's free-form `additional_info`, verbatim.",
    example: { priority: 'high' },
  })
  additionalInfo: unknown;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Vendor time (`generated-at`) of the event the session reflects; null while the session is only known by name.',
  })
  lastEventAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the service first heard of the session (UTC).' })
  createdAt: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'When a notification last changed the session (UTC); lists are ordered by it.',
  })
  updatedAt: string;
}

export class SessionOutput extends SessionSummaryOutput {
  @ApiProperty({ type: [ArtifactSummaryOutput], description: 'Session-level artifacts (encounter-level ones are on the encounter).' })
  artifacts: ArtifactSummaryOutput[];
}

export class SessionPageOutput {
  @ApiProperty({ type: [SessionSummaryOutput], description: 'Newest first: by `updatedAt` descending, then `sessionId` descending.' })
  items: SessionSummaryOutput[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` (with the same filters) for the next page; null on the last page.',
  })
  nextCursor: string | null;
}

/** One notification received for the session. */
export class SessionEventOutput {
  @ApiProperty({ type: String, format: 'date-time', description: 'When this service received the notification (UTC).' })
  receivedAt: string;

  @ApiProperty({ type: String, format: 'date-time', description: "Vendor time: the notification's `generated-at` header (UTC)." })
  generatedAt: string;

  @ApiProperty({ type: String, nullable: true, description: 'The `status` field exactly as Suki sent it.', example: 'success' })
  vendorStatus: string | null;

  @ApiProperty({
    enum: DeliveryOutcome,
    enumName: 'DeliveryOutcome',
    description:
      '`applied`: changed the session; `stale`: older than what the session already reflected, kept for the timeline; ' +
      '`unrecognized`: a status the service does not know. Exact repeats (`duplicate`) store nothing and are not listed.',
  })
  outcome: DeliveryOutcome;
}

export class SessionEventsOutput {
  @ApiProperty()
  sessionId: string;

  @ApiProperty({ type: [SessionEventOutput], description: 'In vendor-time order (`generatedAt`, then arrival).' })
  events: SessionEventOutput[];
}
