import { apiGet, ApiAnswer, ApiGetOptions } from '../support/api';
import { TestDatabase } from '../support/test-database';
import { useTestApp } from '../support/use-test-app';

export type { ApiAnswer } from '../support/api';

/** GET against the query API of the service at baseUrl (see apiGet: the answer must match the OpenAPI document). */
export function queryApi(baseUrl: string) {
  return <T = unknown>(path: string, options: ApiGetOptions = {}): Promise<ApiAnswer<T>> => apiGet<T>(baseUrl, path, options);
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

/** A query test file's setup: useTestApp with `env` added to the test app's. */
export function useQueryApp(env: Record<string, string> = {}) {
  return useTestApp({ env });
}
