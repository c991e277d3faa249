import { FakeSukiApi } from '../support/fake-suki-api';
import { TestDatabase } from '../support/test-database';
import { FAST_RETRIEVAL } from './retrieval.support';

export const REGISTRAR_TOKEN = 'test-registrar-token';
export const READER_TOKEN = 'test-reader-token';

/** Retrieval as in the other retrieval tests, and reconciliation in milliseconds instead of minutes. */
export const FAST_RECONCILE = {
  ...FAST_RETRIEVAL,
  INTERNAL_API_CLIENTS: `registrar:register:${REGISTRAR_TOKEN},reader:read+content:${READER_TOKEN}`,
  RECONCILE_AFTER_MS: '150',
  RECONCILE_BACKOFF_BASE_MS: '100',
  RECONCILE_BACKOFF_MAX_MS: '200',
};

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export async function register(baseUrl: string, sessionId: string, body: unknown, token = REGISTRAR_TOKEN): Promise<Answer> {
  const response = await fetch(`${baseUrl}/v1/sessions/${encodeURIComponent(sessionId)}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export async function sessionView(baseUrl: string, sessionId: string): Promise<Answer> {
  const response = await fetch(`${baseUrl}/v1/sessions/${encodeURIComponent(sessionId)}`, {
    headers: { authorization: `Bearer ${READER_TOKEN}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export const statusPath = (sessionId: string) => `/api/v1/ambient/session/${sessionId}/status`;

export const pollsOf = (fake: FakeSukiApi, sessionId: string) => fake.requestsTo(statusPath(sessionId));

export async function metricValue(baseUrl: string, series: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((row) => row.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

export async function pollRow(db: TestDatabase, sessionId: string) {
  const [row] = await db.query<{ status: string; attempts: number; last_error: string | null; next_attempt_at: Date | null }>(
    `SELECT status, attempts, last_error, next_attempt_at FROM artifacts WHERE owner_id = $1 AND kind = 'status'`,
    [sessionId],
  );
  return row;
}
