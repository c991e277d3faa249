import { Prisma } from '../generated/prisma/client';
import { ArtifactKind, ArtifactStatus } from '../generated/prisma/enums';

/** Which artifacts an operator means (docs/api.md, Dead letters); every field narrows, none widens. */
export interface ArtifactFilter {
  status?: ArtifactStatus;
  kind?: ArtifactKind;
  sessionId?: string;
  encounterId?: string;
  /** Updated at or after. */
  updatedSince?: Date;
  /** Updated before. */
  updatedBefore?: Date;
}

/**
 * The filter's conditions but its status, for the listing, the count of what a retry would
 * reset and the retry alike. Each is a typed parameter that is either null (not asked for) or
 * compared, so there is one statement text whatever the filters.
 */
export function narrowedBy(filter: Omit<ArtifactFilter, 'status'>): Prisma.Sql {
  const f = {
    kind: filter.kind ?? null,
    sessionId: filter.sessionId ?? null,
    encounterId: filter.encounterId ?? null,
    updatedSince: filter.updatedSince?.toISOString() ?? null,
    updatedBefore: filter.updatedBefore?.toISOString() ?? null,
  };
  return Prisma.sql`(${f.kind}::"ArtifactKind" IS NULL OR kind = ${f.kind}::"ArtifactKind")
        AND (${f.sessionId}::text IS NULL OR session_id = ${f.sessionId}::text)
        AND (${f.encounterId}::text IS NULL OR encounter_id = ${f.encounterId}::text)
        AND (${f.updatedSince}::timestamptz IS NULL OR updated_at >= ${f.updatedSince}::timestamptz)
        AND (${f.updatedBefore}::timestamptz IS NULL OR updated_at < ${f.updatedBefore}::timestamptz)`;
}
