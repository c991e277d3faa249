import { apiGet } from '../support/api';
import { parsePrometheus, sampleValue } from '../support/prometheus';
import { TEST_INTERNAL_TOKEN } from '../support/test-app';

export interface FeedItem {
  id: string;
  type: string;
  occurredAt: string;
  sessionId: string | null;
  encounterId: string;
  status?: string;
  kind?: string;
}

/** A feed page, or for an error answer its message (the fields of the other are then absent). */
export interface FeedAnswer {
  status: number;
  body: { items: FeedItem[]; nextCursor: string; message?: string };
}

/** GET against the feed with the test's bearer token (or `token`, or none for null); the answer must match the document. */
export function feedApi(baseUrl: string) {
  return async (path: string, token: string | null = TEST_INTERNAL_TOKEN): Promise<FeedAnswer> => {
    const { status, body } = await apiGet<FeedAnswer['body']>(baseUrl, path, { token });
    return { status, body };
  };
}

/** Long-polls of GET /v1/events waiting now on the service at `baseUrl` (suki_events_waiters; 0 if absent). */
export async function feedWaiters(baseUrl: string): Promise<number> {
  return sampleValue(parsePrometheus(await (await fetch(`${baseUrl}/metrics`)).text()), 'suki_events_waiters') ?? 0;
}

/** Reads the feed from `after` until an answer comes back empty; returns everything and where it ended. */
export async function readToEnd(baseUrl: string, after = 'start', query = ''): Promise<{ items: FeedItem[]; cursor: string }> {
  const get = feedApi(baseUrl);
  const items: FeedItem[] = [];
  let cursor = after;
  for (;;) {
    const answer = await get(`/v1/events?after=${encodeURIComponent(cursor)}&limit=1000${query}`);
    if (answer.status !== 200) throw new Error(`GET /v1/events answered ${answer.status}: ${answer.body.message}`);
    items.push(...answer.body.items);
    cursor = answer.body.nextCursor;
    if (answer.body.items.length === 0) return { items, cursor };
  }
}

/**
 * Waits until every event committed so far is servable: the feed serves an event only once
 * every transaction older than it has ended, anywhere on the PostgreSQL server (xmin is
 * cluster-wide), and the shared test server runs other suites' transactions all the time.
 */
export async function feedSettled(db: { query<T>(sql: string): Promise<T[]> }, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [{ settled }] = await db.query<{ settled: boolean }>(
      `SELECT COALESCE(max(xid) < (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint, true) AS settled FROM events`,
    );
    if (settled) return;
    if (Date.now() > until) throw new Error('events still held back by an open transaction');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
