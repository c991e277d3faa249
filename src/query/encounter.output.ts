import { ApiProperty } from '@nestjs/swagger';
import { SessionStatus } from '../generated/prisma/enums';
import { ArtifactSummaryOutput } from './artifact.output';

/** The most sessions an encounter view lists; the rest are paged with GET /v1/sessions?encounterId=. */
export const ENCOUNTER_SESSIONS_SHOWN = 100;

export class EncounterSummaryOutput {
  @ApiProperty({ description: "Suki's encounter id.", example: '4d753ce1-bbff-43e1-950a-82dea2d86873' })
  encounterId: string;

  @ApiProperty({ enum: SessionStatus, enumName: 'SessionStatus', description: 'The status of the session with the latest vendor event.' })
  status: SessionStatus;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Vendor time of the latest event applied to any of its sessions.',
  })
  lastEventAt: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'When a notification last changed the encounter (UTC); lists are ordered by it.',
  })
  updatedAt: string;
}

export class EncounterSessionOutput {
  @ApiProperty()
  sessionId: string;

  @ApiProperty({ enum: SessionStatus, enumName: 'SessionStatus' })
  status: SessionStatus;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastEventAt: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: string;
}

export class EncounterOutput extends EncounterSummaryOutput {
  @ApiProperty({
    type: [EncounterSessionOutput],
    description: `Its sessions, most recently updated first; at most ${ENCOUNTER_SESSIONS_SHOWN} (see sessionCount).`,
  })
  sessions: EncounterSessionOutput[];

  @ApiProperty({ type: 'integer', description: 'How many sessions the encounter has; page them all with GET /v1/sessions?encounterId=…' })
  sessionCount: number;

  @ApiProperty({ type: [ArtifactSummaryOutput], description: 'Encounter-level artifacts (encounter_content, encounter_structured_data).' })
  artifacts: ArtifactSummaryOutput[];
}

export class EncounterPageOutput {
  @ApiProperty({ type: [EncounterSummaryOutput], description: 'Newest first: by `updatedAt` descending, then `encounterId` descending.' })
  items: EncounterSummaryOutput[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` (with the same filters) for the next page; null on the last page.',
  })
  nextCursor: string | null;
}
