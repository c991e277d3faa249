import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArtifactKind, SessionStatus } from '../generated/prisma/enums';
import { EVENT_TYPES } from './event-types';

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

  @ApiProperty({ description: "Suki's encounter id.", example: '4d753ce1-bbff-43e1-950a-82dea2d86873' })
  encounterId: string;

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
}

export class EventPageOutput {
  @ApiProperty({ type: [EventOutput], description: 'In the order they became visible; the same order for every reader.' })
  items: EventOutput[];

  @ApiProperty({ description: 'Always present: pass it as `after` to continue, also after an empty answer.' })
  nextCursor: string;
}
