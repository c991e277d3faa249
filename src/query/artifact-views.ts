import { ArtifactKind } from '../generated/prisma/enums';
import { ArtifactOutput } from './artifact.output';
import { jsonArray, jsonObject, JsonFields, Rendered, utc } from './json-sql';
import { isEncounterKind } from '../suki/artifact-kinds';

/** ArtifactSummaryOutput, for rows of artifacts aliased `a`. */
const SUMMARY_FIELDS: JsonFields = [
  ['kind', 'a.kind'],
  ['status', 'a.status'],
  ['attempts', 'a.attempts'],
  ['fetchedAt', utc('a.fetched_at')],
  ['lastError', 'a.last_error'],
  ['nextAttemptAt', utc('a.next_attempt_at')],
  // Made up by the built-in Suki API simulator, never a real note (artifact_simulated migration).
  ['simulated', 'a.simulated'],
];

/** ArtifactOutput: the summary and the data, which is only shown once it is ready. */
export const ARTIFACT_JSON = jsonObject([
  ...SUMMARY_FIELDS,
  ['purgedAt', utc('a.purged_at')],
  ['data', "CASE WHEN a.status = 'ready' THEN a.data END"],
]);

/**
 * The columns beside ARTIFACT_JSON that the audit needs: whose artifact it is, and whether the
 * answer carries note content (only a ready, unpurged artifact does).
 */
export const ARTIFACT_AUDIT_COLUMNS = `a.encounter_id AS "encounterId", (a.status = 'ready' AND a.data IS NOT NULL) AS "carriesData"`;

/** The JSON array of the artifact summaries matching `where`, by kind. */
export function artifactSummaries(where: string): string {
  return jsonArray(SUMMARY_FIELDS, `artifacts a WHERE ${where}`, 'a.kind');
}

/**
 * One artifact joined onto its owner: no row means no owner; a null body means the owner has
 * no artifact of that kind.
 */
export interface ArtifactRow {
  body: Rendered<ArtifactOutput> | null;
  encounterId: string | null;
  carriesData: boolean | null;
}

export interface FoundArtifact {
  body: Rendered<ArtifactOutput>;
  encounterId: string;
  /** Whether `body` holds note content, which must be audited before it is served. */
  carriesData: boolean;
}

export type ArtifactLookup = FoundArtifact | 'no-artifact' | undefined;

export function toArtifactLookup(rows: ArtifactRow[]): ArtifactLookup {
  const [row] = rows;
  if (!row) return undefined;
  if (row.body === null) return 'no-artifact';
  return { body: row.body, encounterId: row.encounterId ?? '', carriesData: row.carriesData === true };
}

/** Why an owner has no artifact of a kind, pointing to the right owner when it is the wrong level. */
export function missingArtifactMessage(owner: 'session' | 'encounter', kind: ArtifactKind): string {
  if (owner === 'session' && isEncounterKind(kind))
    return `${kind} is an encounter-level artifact: read it at /v1/encounters/{encounterId}/artifacts/${kind}`;
  if (owner === 'encounter' && !isEncounterKind(kind))
    return `${kind} is a session-level artifact: read it at /v1/sessions/{sessionId}/artifacts/${kind}`;
  return `the ${owner} has no ${kind} artifact`;
}
