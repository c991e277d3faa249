import { Injectable } from '@nestjs/common';
import { ArtifactKind, SessionStatus } from '../generated/prisma/enums';
import { ARTIFACT_AUDIT_COLUMNS, ARTIFACT_JSON, ArtifactLookup, ArtifactRow, artifactSummaries, toArtifactLookup } from './artifact-views';
import { KeysetPosition } from '../api/cursor';
import { ENCOUNTER_SESSIONS_SHOWN, EncounterOutput, EncounterSummaryOutput } from './encounter.output';
import { jsonObject, JsonFields, Rendered, utc } from './json-sql';
import { keysetStatement } from '../api/keyset';
import { QueryDatabase } from '../database/query-database';

export interface EncounterFilters {
  status?: SessionStatus;
  /** ISO-8601 instant. */
  updatedSince?: string;
}

/** EncounterSummaryOutput, for rows of encounters aliased `e`. */
const SUMMARY_FIELDS: JsonFields = [
  ['encounterId', 'e.id'],
  ['status', 'e.status'],
  ['lastEventAt', utc('e.last_event_at')],
  ['createdAt', utc('e.created_at')],
  ['updatedAt', utc('e.updated_at')],
];

/** EncounterSessionOutput, for rows of sessions aliased `x`. */
const SESSION_FIELDS: JsonFields = [
  ['sessionId', 'x.id'],
  ['status', 'x.status'],
  ['lastEventAt', utc('x.last_event_at')],
  ['updatedAt', utc('x.updated_at')],
];

// Encounter-level artifacts are owned by the encounter itself and belong to no session.
const ENCOUNTER_ARTIFACTS = 'a.owner_id = e.id AND a.encounter_id = e.id AND a.session_id IS NULL';

// The most recently updated sessions only: an encounter's full list is paged by GET /v1/sessions.
const LATEST_SESSIONS = `COALESCE((SELECT json_agg(${jsonObject(SESSION_FIELDS)} ORDER BY x.updated_at DESC, x.id DESC)
  FROM (SELECT id, status, last_event_at, updated_at FROM sessions WHERE encounter_id = e.id
        ORDER BY updated_at DESC, id DESC LIMIT ${ENCOUNTER_SESSIONS_SHOWN}) x), '[]'::json)`;

const FIND_ENCOUNTER = `SELECT ${jsonObject([
  ...SUMMARY_FIELDS,
  ['sessions', LATEST_SESSIONS],
  ['sessionCount', '(SELECT count(*)::int FROM sessions WHERE encounter_id = e.id)'],
  ['artifacts', artifactSummaries(ENCOUNTER_ARTIFACTS)],
])}::text AS body FROM encounters e WHERE e.id = $1`;

const ENCOUNTER_ARTIFACT = `SELECT CASE WHEN a.id IS NOT NULL THEN ${ARTIFACT_JSON}::text END AS body, ${ARTIFACT_AUDIT_COLUMNS}
  FROM encounters e LEFT JOIN artifacts a ON a.kind = $2::"ArtifactKind" AND ${ENCOUNTER_ARTIFACTS}
  WHERE e.id = $1`;

/** Every read of encounters and their artifacts. Read-only. */
@Injectable()
export class EncountersRepository {
  constructor(private readonly db: QueryDatabase) {}

  async find(encounterId: string): Promise<Rendered<EncounterOutput> | undefined> {
    const [row] = await this.db.rows<{ body: Rendered<EncounterOutput> }>('encounter', FIND_ENCOUNTER, [encounterId]);
    return row?.body;
  }

  async artifact(encounterId: string, kind: ArtifactKind): Promise<ArtifactLookup> {
    return toArtifactLookup(await this.db.rows<ArtifactRow>('encounter-artifact', ENCOUNTER_ARTIFACT, [encounterId, kind]));
  }

  /** Up to `limit` encounters after `after`, newest first (see keyset.ts for the contract). */
  async list(filters: EncounterFilters, after: KeysetPosition | undefined, limit: number): Promise<EncounterSummaryOutput[]> {
    const statement = keysetStatement(
      'encounters',
      `SELECT ${jsonObject(SUMMARY_FIELDS)} AS item FROM encounters e`,
      [
        { key: 'status', value: filters.status, sql: (p) => `status = ${p}::"SessionStatus"` },
        { key: 'since', value: filters.updatedSince, sql: (p) => `updated_at >= ${p}::timestamptz` },
      ],
      after,
      limit,
    );
    const rows = await this.db.rows<{ item: EncounterSummaryOutput }>(statement.name, statement.text, statement.values);
    return rows.map((row) => row.item);
  }
}
