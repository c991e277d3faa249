import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { useTestApp } from '../support/use-test-app';
import { aTimeoutNotification, postNotification } from '../support/notifications';
import { TEST_INTERNAL_TOKEN } from '../support/test-app';
import { eventually, FAST_RETRIEVAL } from './retrieval.support';
import { REGISTRAR_TOKEN } from './reconcile.support';

/**
 * `.` and `..` are never ids: escaped or not, a URL parser resolves them, so a status check of
 * session `..` would call `/api/v1/ambient/status` (another of Suki's endpoints) with our token.
 */
describe('the ids . and ..', () => {
  const { sut, suki, db } = useTestApp({
    suki: true,
    env: {
      ...FAST_RETRIEVAL,
      INTERNAL_API_TOKENS: '',
      INTERNAL_API_CLIENTS: `all:read+content+register+admin:${TEST_INTERNAL_TOKEN},registrar:register:${REGISTRAR_TOKEN}`,
    },
  });

  /** A request sent with its path exactly as written: fetch would resolve the dot segments first. */
  function send(method: string, path: string, token: string, body?: string): Promise<{ status: number; body: string }> {
    const { hostname, port } = new URL(sut().baseUrl);
    return new Promise((resolve, reject) => {
      const outgoing = request(
        { host: hostname, port, method, path, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
        (response) => {
          let text = '';
          response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  it.each(['.', '..'])(
    'a notification for session %j is authentic but unusable: 400, stored as rejected, nothing asked of Suki',
    async (id) => {
      const body = aTimeoutNotification({ session_id: id });
      const answer = await postNotification(sut().baseUrl, body);
      expect(answer).toMatchObject({ status: 400, body: { message: 'session_id is missing or not a usable id' } });
      const rows = await db().query('SELECT outcome FROM deliveries WHERE raw_body = $1', [Buffer.from(JSON.stringify(body))]);
      expect(rows).toEqual([{ outcome: 'rejected' }]);

      // A usable timeout right after: once its status check reached Suki, the refused one would have too.
      const sessionId = randomUUID();
      expect((await postNotification(sut().baseUrl, aTimeoutNotification({ session_id: sessionId }))).status).toBe(200);
      await eventually(
        () => suki().requestsTo(`/api/v1/ambient/session/${sessionId}/status`).length,
        (n) => n > 0,
      );
      // Every call Suki got named a session or an encounter by its id: none lost its id to a dot segment.
      const paths = suki().requests.map((recorded) => recorded.path);
      expect(paths.filter((path) => !/^\/api\/v1\/ambient\/(session|encounter)\/[0-9a-f-]{36}\/[a-z-]+$/.test(path))).toEqual([]);
    },
  );

  it.each(['.', '..'])('a notification naming encounter %j is refused the same way', async (id) => {
    const answer = await postNotification(sut().baseUrl, aTimeoutNotification({ encounter_id: id }));
    expect(answer).toMatchObject({ status: 400, body: { message: 'encounter_id is missing or not a usable id' } });
  });

  it.each([
    ['GET', '/v1/sessions/%2E%2E'],
    ['GET', '/v1/sessions/..'],
    ['GET', '/v1/sessions/%2e'],
    ['GET', '/v1/sessions/%2E%2E/events'],
    ['GET', '/v1/sessions/%2E%2E/artifacts/contents'],
    ['GET', '/v1/encounters/%2E%2E'],
    ['GET', '/v1/encounters/%2E/artifacts/encounter_content'],
  ])('%s %s answers 400', async (method, path) => {
    const answer = await send(method, path, TEST_INTERNAL_TOKEN);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ statusCode: 400, message: expect.stringMatching(/must not be \. or \.\./) });
  });

  it.each([
    ['/v1/sessions/%2E%2E', JSON.stringify({ encounterId: 'e-1' }), /^sessionId must/],
    ['/v1/sessions/%2E', JSON.stringify({ encounterId: 'e-1' }), /^sessionId must/],
    [`/v1/sessions/${randomUUID()}`, JSON.stringify({ encounterId: '..' }), /^encounterId must/],
  ])('PUT %s with %s answers 400 and registers nothing', async (path, body, message) => {
    const answer = await send('PUT', path, REGISTRAR_TOKEN, body);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ message: expect.stringMatching(message) });
    expect(await db().query(`SELECT id FROM sessions WHERE id IN ('.', '..') OR encounter_id IN ('.', '..')`)).toEqual([]);
  });
});
