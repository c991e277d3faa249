import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArtifactKind, SessionStatus } from '../generated/prisma/enums';
import { encodeFeedCursor } from './event-cursor';
import { EVENT_TYPES } from './event-types';
import type { StoredEvent } from './stored-event';

/** One change, identifiers and states only: never note content. */
export class EventOutput {
  @ApiProperty({ description: 'Unique; also a cursor: `after=<id>` continues after this event.', example: 'NTQxNDox.Xk3t0d2c1RkqZbJm' })
  id: string;

  @ApiProperty({ enum: EVENT_TYPES, description: 'What changed.', example: 'session.completed' })
  type: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the change was committed to start (transaction time).' })
  occurredAt: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "Suki's session id; null for an encounter-level artifact.",
    example: 'a953839a-ddcd-407d-b9b0-3ed4b6be4be2',
  })
  sessionId: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "Suki's encounter id; null for subscription.disabled.",
    example: '4d753ce1-bbff-43e1-950a-82dea2d86873',
  })
  encounterId: string | null;

  @ApiPropertyOptional({ enum: SessionStatus, enumName: 'SessionStatus', description: 'session.* events: the status now.' })
  status?: SessionStatus;

  @ApiPropertyOptional({ enum: ArtifactKind, enumName: 'ArtifactKind', description: 'artifact.* events: which artifact.' })
  kind?: ArtifactKind;

  @ApiPropertyOptional({
    description:
      'session.encounter_changed: the encounter the session was provisionally under (from a registration, another ' +
      "session's `sessions` array or a status check) before its own notification named `encounterId`.",
    example: '29de56bc-960a-4cd5-b18f-79a798d62874',
  })
  previousEncounterId?: string;

  @ApiPropertyOptional({
    description: 'subscription.disabled: the push subscription disabled.',
    example: '0b6f2a4e-5c1d-4e8a-9f3b-2d7c6e1a9b40',
  })
  subscriptionId?: string;
}

export class EventPageOutput {
  @ApiProperty({ type: [EventOutput], description: 'In the order they became visible; the same order for every reader.' })
  items: EventOutput[];

  @ApiProperty({ description: 'Always present: pass it as `after` to continue, also after an empty answer.' })
  nextCursor: string;
}

/** One stored event as GET /v1/events serves it (and push subscriptions deliver it). */
export function eventOutput(event: StoredEvent): EventOutput {
  const output: EventOutput = {
    id: encodeFeedCursor(event.at),
    type: event.type,
    occurredAt: event.occurredAt,
    sessionId: event.sessionId,
    encounterId: event.encounterId,
  };
  if (event.status !== null) output.status = event.status;
  if (event.kind !== null) output.kind = event.kind;
  if (event.previousEncounterId !== null) output.previousEncounterId = event.previousEncounterId;
  if (event.subscriptionId !== null) output.subscriptionId = event.subscriptionId;
  return output;
}
