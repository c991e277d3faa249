import { ApiProperty } from '@nestjs/swagger';
import type { IntakeOutcome } from './intake.service';

/** What the webhook answers with: every outcome but `rejected`, which is a 400 with an error body. */
export const WEBHOOK_OUTCOMES = [
  'applied',
  'duplicate',
  'stale',
  'conflict',
  'unrecognized',
  'spooled',
] as const satisfies readonly IntakeOutcome[];

/** The body of the webhook's 200 and 202. */
export class WebhookOutcomeOutput {
  @ApiProperty({
    enum: WEBHOOK_OUTCOMES,
    description:
      '200: `applied`, `duplicate`, `stale`, `conflict` (the session is bound to another encounter by its own earlier ' +
      'notification: kept in its timeline, nothing moved). 202: `unrecognized`, `spooled`.',
    example: 'applied',
  })
  outcome: IntakeOutcome;
}
