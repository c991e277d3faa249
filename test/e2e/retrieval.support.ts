import { TestDatabase } from '../support/test-database';
import { eventually } from '../support/waiting';

/** Settings that keep retrieval tests quick: short polls, timeouts and backoff. */
export const FAST_RETRIEVAL = {
  RETRIEVAL_POLL_MS: '50',
  RETRIEVAL_BACKOFF_BASE_MS: '20',
  RETRIEVAL_BACKOFF_MAX_MS: '200',
  RETRIEVAL_SHUTDOWN_GRACE_MS: '1000',
  SUKI_REQUEST_TIMEOUT_MS: '1000',
  // Tests here that make Suki fail on purpose must not leave the next test waiting for a probe.
  SUKI_BREAKER_PROBE_BASE_MS: '50',
  SUKI_BREAKER_PROBE_MAX_MS: '200',
};

export interface ArtifactRow {
  id: string;
  kind: string;
  owner_id: string;
  status: 'pending' | 'ready' | 'failed';
  href: string;
  attempts: number;
  last_error: string | null;
  generation: number;
  locked_until: Date | null;
  next_attempt_at: Date | null;
  fetched_at: Date | null;
  data: unknown;
}

export function artifactsOf(db: TestDatabase, encounterId: string): Promise<ArtifactRow[]> {
  return db.query<ArtifactRow>('SELECT * FROM artifacts WHERE encounter_id = $1 ORDER BY kind', [encounterId]);
}

export const allSettled = (rows: ArtifactRow[]) => rows.length > 0 && rows.every((row) => row.status !== 'pending');

export { eventually };

/** The artifacts of an encounter once none is pending any more. */
export function settledArtifacts(db: TestDatabase, encounterId: string, timeoutMs?: number): Promise<ArtifactRow[]> {
  return eventually(() => artifactsOf(db, encounterId), allSettled, timeoutMs);
}
