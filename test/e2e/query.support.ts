import { postNotification } from '../support/notifications';
import { startTestApp, TEST_INTERNAL_TOKEN, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * An answer of the query API. `T` is what the test expects the body to be (an output DTO from
 * src/query/*.output.ts, or ErrorBody); it is not checked here, the test's assertions check it.
 */
export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** GET against the query API, with the test's bearer token unless told otherwise. */
export function queryApi(baseUrl: string) {
  return async <T = unknown>(
    path: string,
    options: { token?: string | null; authorization?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiAnswer<T>> => {
    const token = options.token === undefined ? TEST_INTERNAL_TOKEN : options.token;
    const headers: Record<string, string> = { ...options.headers };
    if (options.authorization !== undefined) headers.authorization = options.authorization;
    else if (token !== null) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${baseUrl}${path}`, { headers });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // non-JSON answers are returned as text
    }
    return { status: response.status, body: body as T, headers: response.headers };
  };
}

/**
 * What the retrieval worker writes when Suki answers: the API cannot create this state, so the
 * test writes it. The generation bump makes any fetch already under way for the row give way.
 */
export async function markArtifactReady(db: TestDatabase, ownerId: string, kind: string, data: unknown): Promise<void> {
  const rows = await db.query(
    `UPDATE artifacts SET status = 'ready', data = $3::jsonb, fetched_at = now(), attempts = attempts + 1, last_error = NULL,
       next_attempt_at = NULL, locked_until = NULL, generation = generation + 1
     WHERE owner_id = $1 AND kind = $2 RETURNING id`,
    [ownerId, kind, JSON.stringify(data)],
  );
  if (rows.length !== 1) throw new Error(`no ${kind} artifact for ${ownerId}`);
}

export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A query test file's setup: its own migrated database and a running service, started before
 * its tests and stopped after them, with the calls those tests make. `env` adds to the test app's.
 */
export function useQueryApp(env: Record<string, string> = {}) {
  let db: TestDatabase | undefined;
  let sut: TestApp | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    sut = await startTestApp(db.url, env);
  });

  afterAll(async () => {
    await sut?.close();
    await db?.drop();
  });

  const started = () => {
    if (!db || !sut) throw new Error('the query app is only there while the tests run');
    return { db, sut };
  };

  return {
    db: () => started().db,
    baseUrl: () => started().sut.baseUrl,
    get: <T = unknown>(path: string, options?: Parameters<ReturnType<typeof queryApi>>[1]) =>
      queryApi(started().sut.baseUrl)<T>(path, options),
    /** Posts a signed notification that must be accepted; returns its outcome. */
    post: async (body: Record<string, unknown>, generatedAt = Date.now()): Promise<string> => {
      const answer = await postNotification(started().sut.baseUrl, body, { generatedAt });
      expect(answer.status).toBeLessThan(300);
      return answer.body.outcome as string;
    },
  };
}
