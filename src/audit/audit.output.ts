import { ApiProperty } from '@nestjs/swagger';
import { ArtifactKind } from '../generated/prisma/enums';
import { AUDIT_ACTIONS } from './audit-entry';

/** One audit record. */
export class AuditItemOutput {
  @ApiProperty({ type: String, format: 'date-time', description: 'When the record was written, before the answer went out (UTC).' })
  at: string;

  @ApiProperty({ description: 'The client (its INTERNAL_API_CLIENTS name, or `token-<n>`).', example: 'ehr' })
  client: string;

  @ApiProperty({
    enum: AUDIT_ACTIONS,
    description: 'What the client did. `encounter_changed` (client `suki`): a session moved to the encounter its own notification names.',
    example: 'artifact.read',
  })
  action: string;

  @ApiProperty({ type: String, nullable: true, description: 'The session concerned, if any.' })
  sessionId: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The encounter concerned, if any.' })
  encounterId: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: '`encounter_changed`: the encounter the session left for `encounterId`; null for every other action.',
  })
  previousEncounterId: string | null;

  // Inline rather than a $ref to ArtifactKind: OpenAPI 3.0 cannot mark a $ref nullable (redocly: nullable-type-sibling).
  @ApiProperty({ type: String, enum: Object.values(ArtifactKind), nullable: true, description: 'The artifact kind read, if any.' })
  kind: ArtifactKind | null;

  @ApiProperty({ type: String, nullable: true, description: 'The push subscription an admin action changed, if any.' })
  subscriptionId: string | null;

  @ApiProperty({
    description:
      "The service's own id for the request: its X-Request-Id answer and the `reqId` of its log lines. `encounter_changed`: " +
      'the notification request that moved the session (`delivery:<n>` when it was drained from the spool).',
  })
  requestId: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The X-Request-Id the caller sent, when it was a sane token (as `callerRequestId` in the access log); null otherwise.',
  })
  callerRequestId: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The peer address the request came from.', example: '10.0.3.17' })
  remoteAddress: string | null;
}

export class AuditPageOutput {
  @ApiProperty({ type: [AuditItemOutput], description: 'Newest first.' })
  items: AuditItemOutput[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor: string | null;
}
