import { ApiProperty } from '@nestjs/swagger';
import { ArtifactKind, ArtifactStatus } from '../generated/prisma/enums';

/** One artifact as the operator sees it: identifiers and state, never its data. */
export class DeadLetterOutput {
  @ApiProperty({ type: String, nullable: true, description: 'The session, for a session-level kind; null for an encounter-level one.' })
  sessionId: string | null;

  @ApiProperty({ description: 'The encounter.' })
  encounterId: string;

  @ApiProperty({ enum: ArtifactKind, enumName: 'ArtifactKind', description: 'Which Suki resource.' })
  kind: ArtifactKind;

  @ApiProperty({ enum: ArtifactStatus, enumName: 'ArtifactStatus', description: '`failed` for a dead letter.' })
  status: ArtifactStatus;

  @ApiProperty({ description: 'Fetch attempts made for the current request of this resource.', example: 3 })
  attempts: number;

  @ApiProperty({ type: String, nullable: true, description: 'Why the last attempt failed, if it did.', example: 'HTTP 404: not_found' })
  lastError: string | null;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the artifact last changed (UTC).' })
  updatedAt: string;
}

export class DeadLetterPageOutput {
  @ApiProperty({ type: [DeadLetterOutput], description: 'Newest first, by (updatedAt, id).' })
  items: DeadLetterOutput[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor`, with the same filters, for the next page; null on the last page.',
  })
  nextCursor: string | null;
}

export class RetryOutput {
  @ApiProperty({ description: 'How many failed artifacts were reset to pending.', example: 2 })
  retried: number;
}
