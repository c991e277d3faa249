import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { SubscriptionStatus } from '../generated/prisma/enums';

const TYPES_DOC = {
  type: [String],
  nullable: true,
  description: 'The event types delivered; null: every type, including types added later.',
} as ApiPropertyOptions;

export class LastAttemptOutput {
  @ApiProperty({ type: String, format: 'date-time', description: 'When it was sent.' })
  at: string;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: "The answer's status; null when none came (timeout, connection refused).",
    example: 503,
  })
  httpStatus: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why it failed; null for a 2xx. Never the response body.',
    example: 'HTTP 503',
  })
  error: string | null;
}

/** A subscription as listed: never its secret, never a password in its URL. */
export class SubscriptionOutput {
  @ApiProperty({ example: '0b6f2a4e-5c1d-4e8a-9f3b-2d7c6e1a9b40' })
  id: string;

  @ApiProperty({
    description: 'The endpoint; a password in it is shown as `***`.',
    example: 'https://ehr-sync.internal.example.com/hooks/suki',
  })
  url: string;

  @ApiProperty(TYPES_DOC)
  types: string[] | null;

  @ApiProperty({
    enum: SubscriptionStatus,
    enumName: 'SubscriptionStatus',
    description: '`disabled`: after a 410, or failing for PUSH_DISABLE_AFTER_MS.',
  })
  status: SubscriptionStatus;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ type: 'integer', example: 8 })
  maxInFlight: number;

  @ApiProperty({ description: 'The feed cursor: every event up to it was answered 2xx or recorded as failed.' })
  cursor: string;

  @ApiProperty({ type: 'integer', description: 'Matching events after the cursor (counted up to 100000).', example: 0 })
  lagEvents: number;

  @ApiProperty({ type: Number, description: 'Age in seconds of the oldest event after the cursor; 0 when caught up.', example: 0 })
  lagSeconds: number;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Since when every attempt fails; null again after the first 2xx.',
  })
  failingSince: string | null;

  @ApiProperty({ type: LastAttemptOutput, nullable: true, description: 'The latest attempt recorded; null before the first.' })
  lastAttempt: LastAttemptOutput | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: string;
}

export class SubscriptionPageOutput {
  @ApiProperty({ type: [SubscriptionOutput], description: 'Newest first.' })
  items: SubscriptionOutput[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor: string | null;
}

/** The answer to POST /v1/subscriptions: the only time, with rotation, the secret is shown. */
export class CreatedSubscriptionOutput {
  @ApiProperty({ example: '0b6f2a4e-5c1d-4e8a-9f3b-2d7c6e1a9b40' })
  id: string;

  @ApiProperty({ description: 'The endpoint; a password in it is shown as `***`.' })
  url: string;

  @ApiProperty(TYPES_DOC)
  types: string[] | null;

  @ApiProperty({ enum: ['active'], description: 'Always `active`.' })
  status: 'active';

  @ApiProperty({
    description: 'The signing secret: `whsec_` + base64 of 32 random bytes. Shown only now; keep it.',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  })
  secret: string;

  @ApiProperty({ description: 'Where delivery starts: events after this feed cursor.' })
  cursor: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;
}

export class SecretOutput {
  @ApiProperty({
    description: 'The new signing secret, shown only now. The previous one keeps signing for PUSH_SECRET_OVERLAP_MS.',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  })
  secret: string;
}

export class ReplayOutput {
  @ApiProperty({ description: 'The cursor delivery continues from.' })
  cursor: string;
}

export class TestOutput {
  @ApiProperty({ description: 'The `webhook-id` of the ping sent.', example: 'ping_7d1c1f9e-3b8a-4c55-9a0e-5b1d2e3f4a5b' })
  eventId: string;
}

export class AttemptOutput {
  @ApiProperty({ description: "The event (its feed id, the `webhook-id` sent), or a ping's id." })
  eventId: string;

  @ApiProperty({ type: String, format: 'date-time' })
  attemptedAt: string;

  @ApiProperty({ type: 'integer', nullable: true, description: "The answer's status (a redirect with its 3xx); null when none came." })
  httpStatus: number | null;

  @ApiProperty({ type: 'integer', example: 21 })
  durationMs: number;

  @ApiProperty({ type: String, nullable: true, description: 'Why it failed; null for a 2xx. Never the response body.' })
  error: string | null;
}

export class AttemptPageOutput {
  @ApiProperty({ type: [AttemptOutput], description: 'Newest first.' })
  items: AttemptOutput[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor: string | null;
}
