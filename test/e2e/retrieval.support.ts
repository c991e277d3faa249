import { TestDatabase } from '../support/test-database';

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

/**
 * Probes until `done` holds or `timeoutMs` passed, and returns the last value seen, so that
 * the test's own assertion reports what was there when waiting ended.
 */
export async function eventually<T>(probe: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The artifacts of an encounter once none is pending any more. */
export function settledArtifacts(db: TestDatabase, encounterId: string, timeoutMs?: number): Promise<ArtifactRow[]> {
  return eventually(() => artifactsOf(db, encounterId), allSettled, timeoutMs);
}
