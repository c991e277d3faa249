import { Injectable } from '@nestjs/common';
import { ArtifactKind, SessionStatus } from '../generated/prisma/enums';
import { ARTIFACT_AUDIT_COLUMNS, ARTIFACT_JSON, ArtifactLookup, ArtifactRow, artifactSummaries, toArtifactLookup } from './artifact-views';
import { KeysetPosition } from '../api/cursor';
import { jsonArray, jsonObject, JsonFields, Rendered, utc } from './json-sql';
import { keysetStatement } from '../api/keyset';
import { QueryDatabase } from '../database/query-database';
import { SessionEventsOutput, SessionOutput, SessionSummaryOutput } from './session.output';

export interface SessionFilters {
  status?: SessionStatus;
  encounterId?: string;
  /** ISO-8601 instant. */
  updatedSince?: string;
}

/** SessionSummaryOutput, for rows of sessions aliased `s`. */
const SUMMARY_FIELDS: JsonFields = [
  ['sessionId', 's.id'],
  ['encounterId', 's.encounter_id'],
  ['status', 's.status'],
  ['source', 's.source'],
  ['errorCode', 's.error_code'],
  ['errorDetail', 's.error_detail'],
  ['additionalInfo', 's.additional_info'],
  ['lastEventAt', utc('s.last_event_at')],
  ['createdAt', utc('s.created_at')],
  ['updatedAt', utc('s.updated_at')],
];

// The hot path: the session by primary key and its artifacts by index, in one statement,
// without artifact data (which can be a whole clinical note).
const FIND_SESSION = `SELECT ${jsonObject([...SUMMARY_FIELDS, ['artifacts', artifactSummaries('a.owner_id = s.id AND a.session_id = s.id')]])}::text AS body
  FROM sessions s WHERE s.id = $1`;

const EVENT_FIELDS: JsonFields = [
  ['receivedAt', utc('d.received_at')],
  ['generatedAt', utc('d.generated_at')],
  ['vendorStatus', 'd.vendor_status'],
  ['outcome', 'd.outcome'],
];

const SESSION_EVENTS = `SELECT ${jsonObject([
  ['sessionId', 's.id'],
  ['events', jsonArray(EVENT_FIELDS, 'deliveries d WHERE d.session_id = s.id', 'd.generated_at, d.id')],
])}::text AS body FROM sessions s WHERE s.id = $1`;

const SESSION_ARTIFACT = `SELECT CASE WHEN a.id IS NOT NULL THEN ${ARTIFACT_JSON}::text END AS body, ${ARTIFACT_AUDIT_COLUMNS}
  FROM sessions s LEFT JOIN artifacts a ON a.kind = $2::"ArtifactKind" AND a.owner_id = s.id AND a.session_id = s.id
  WHERE s.id = $1`;

/** Every read of sessions, their timelines and their artifacts. Read-only. */
@Injectable()
export class SessionsRepository {
  constructor(private readonly db: QueryDatabase) {}

  async find(sessionId: string): Promise<Rendered<SessionOutput> | undefined> {
    const [row] = await this.db.rows<{ body: Rendered<SessionOutput> }>('session', FIND_SESSION, [sessionId]);
    return row?.body;
  }

  /** The session's deliveries in vendor-time order, or undefined for an unknown session. */
  async events(sessionId: string): Promise<Rendered<SessionEventsOutput> | undefined> {
    const [row] = await this.db.rows<{ body: Rendered<SessionEventsOutput> }>('session-events', SESSION_EVENTS, [sessionId]);
    return row?.body;
  }

  async artifact(sessionId: string, kind: ArtifactKind): Promise<ArtifactLookup> {
    return toArtifactLookup(await this.db.rows<ArtifactRow>('session-artifact', SESSION_ARTIFACT, [sessionId, kind]));
  }

  /** Up to `limit` sessions after `after`, newest first (see keyset.ts for the contract). */
  async list(filters: SessionFilters, after: KeysetPosition | undefined, limit: number): Promise<SessionSummaryOutput[]> {
    const statement = keysetStatement(
      'sessions',
      // A json column: pg hands each item over already parsed.
      `SELECT ${jsonObject(SUMMARY_FIELDS)} AS item FROM sessions s`,
      [
        { key: 'status', value: filters.status, sql: (p) => `status = ${p}::"SessionStatus"` },
        { key: 'encounter', value: filters.encounterId, sql: (p) => `encounter_id = ${p}` },
        { key: 'since', value: filters.updatedSince, sql: (p) => `updated_at >= ${p}::timestamptz` },
      ],
      after,
      limit,
    );
    const rows = await this.db.rows<{ item: SessionSummaryOutput }>(statement.name, statement.text, statement.values);
    return rows.map((row) => row.item);
  }
}
