import { randomUUID } from 'node:crypto';
import type { ErrorBody } from '../../src/common/http-error';
import type { DeadLetterPageOutput } from '../../src/retrieval/dead-letter.output';
import { aSuccessNotification, postNotification } from '../support/notifications';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const ADMIN = 'operator-admin-token-0123456789';
const READER = 'reader-token-0123456789';

/**
 * What the dead-letter endpoints refuse, and the audit they write. Retrieval is off: the
 * failures are written directly, as the worker would have left them.
 */
describe('dead letters: input, scopes and audit', () => {
  let db: TestDatabase;
  let sut: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    sut = await startTestApp(db.url, { INTERNAL_API_CLIENTS: `operator:admin:${ADMIN},reader:read:${READER}` });
  });

  afterAll(async () => {
    await sut?.close();
    await db?.drop();
  });

  async function answer(path: string, init: RequestInit = {}, token = ADMIN): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${sut.baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });
    return { status: response.status, body: await response.json() };
  }

  const postRetry = (body: string | undefined, contentType = 'application/json', token = ADMIN) =>
    answer('/v1/artifacts/retry', { method: 'POST', body, headers: body === undefined ? {} : { 'content-type': contentType } }, token);

  /** A session whose transcript failed for good; its other artifacts stay pending. */
  async function aFailedTranscript() {
    const sessionId = randomUUID();
    const encounterId = randomUUID();
    expect((await postNotification(sut.baseUrl, aSuccessNotification({ session_id: sessionId, encounter_id: encounterId }))).status).toBe(
      200,
    );
    await db.query(
      `UPDATE artifacts SET status = 'failed', attempts = 3, last_error = 'HTTP 404: not_found', next_attempt_at = NULL
       WHERE owner_id = $1 AND kind = 'transcripts'`,
      [sessionId],
    );
    return { sessionId, encounterId };
  }

  const statusOf = async (sessionId: string) =>
    (await db.query<{ status: string }>(`SELECT status::text FROM artifacts WHERE owner_id = $1 AND kind = 'transcripts'`, [sessionId]))[0]
      .status;

  it.each([
    ['status=done', 'status must be one of: pending, ready, failed'],
    ['kind=notes', 'kind must be one of: contents, encounter_content, structured_data, encounter_structured_data, transcripts, status'],
    ['limit=0', 'limit must be a whole number from 1 to 200'],
    ['updatedSince=yesterday', 'updatedSince must be an ISO-8601 date or date-time with a zone, e.g. 2026-11-27T10:00:00Z'],
    ['updatedBefore=2026-02-30T00:00:00Z', 'updatedBefore must be a valid calendar date and time'],
    ['sessionId=a&sessionId=b', 'sessionId must be given once'],
    ['encounterId=%E2%80%AEx', 'encounterId must not contain control characters, format characters or line separators'],
    ['sesionId=a', 'property sesionId should not exist'],
  ])('GET /v1/artifacts?%s is 400: %s', async (search, message) => {
    expect(await answer(`/v1/artifacts?${search}`)).toEqual({ status: 400, body: { statusCode: 400, error: 'Bad Request', message } });
  });

  it.each([
    ['{"status":"pending"}', 'status must be failed: only failed artifacts are retried'],
    [
      '{"kind":"notes"}',
      'kind must be one of: contents, encounter_content, structured_data, encounter_structured_data, transcripts, status',
    ],
    ['{"sessionId":5}', 'sessionId must be a string'],
    ['{"encounterId":""}', 'encounterId must be 1 to 255 characters'],
    ['{"updatedSince":"last week"}', 'updatedSince must be an ISO-8601 date or date-time with a zone, e.g. 2026-11-27T10:00:00Z'],
    [
      '{"updatedBefore":"2026-11-27T10:00:00"}',
      'updatedBefore must be an ISO-8601 date or date-time with a zone, e.g. 2026-11-27T10:00:00Z',
    ],
    ['{"session":"a"}', 'session is not a field of this body'],
    ['{"sessionId":', 'the body is not valid JSON'],
    ['["a"]', 'the body must be a JSON object'],
    ['null', 'the body must be a JSON object'],
  ])('POST /v1/artifacts/retry %s is 400 and retries nothing: %s', async (body, message) => {
    const { sessionId } = await aFailedTranscript();
    expect(await postRetry(body)).toEqual({ status: 400, body: { statusCode: 400, error: 'Bad Request', message } });
    expect(await statusOf(sessionId)).toBe('failed');
  });

  it('refuses a body that is not JSON with 415', async () => {
    expect((await postRetry('sessionId=a', 'application/x-www-form-urlencoded')).status).toBe(415);
  });

  it('retries every failed artifact for a POST without a body, and with {"status":"failed"}', async () => {
    const first = await aFailedTranscript();
    expect(await postRetry(undefined)).toEqual({ status: 202, body: { retried: expect.any(Number) as number } });
    expect(await statusOf(first.sessionId)).toBe('pending');
    const second = await aFailedTranscript();
    expect(await postRetry('{"status":"failed"}')).toEqual({ status: 202, body: { retried: 1 } });
    expect(await statusOf(second.sessionId)).toBe('pending');
  });

  it('refuses both routes to a read-only client with 403 insufficient_scope, changing nothing', async () => {
    const { sessionId } = await aFailedTranscript();
    for (const refused of [await answer('/v1/artifacts', {}, READER), await postRetry('{}', 'application/json', READER)]) {
      expect(refused).toEqual({
        status: 403,
        body: {
          statusCode: 403,
          error: 'Forbidden',
          message: 'this endpoint needs scope admin, which client reader does not have (it has read)',
        },
      });
    }
    expect(await statusOf(sessionId)).toBe('failed');
  });

  it('audits a listing as one record naming its filters', async () => {
    const { sessionId, encounterId } = await aFailedTranscript();
    const page = await answer(`/v1/artifacts?sessionId=${sessionId}&kind=transcripts`);
    expect((page.body as DeadLetterPageOutput).items).toEqual([expect.objectContaining({ sessionId, encounterId, status: 'failed' })]);
    const audited = await db.query(`SELECT client, action, session_id, encounter_id, kind::text FROM access_audit WHERE session_id = $1`, [
      sessionId,
    ]);
    expect(audited).toEqual([
      { client: 'operator', action: 'artifacts.list', session_id: sessionId, encounter_id: null, kind: 'transcripts' },
    ]);
  });

  it('retries nothing, and says so with 503, when the audit cannot be written', async () => {
    const { sessionId } = await aFailedTranscript();
    // A fault in the audit table alone: every insert into it fails, the artifacts table is fine.
    await db.query(`CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END; $$`);
    await db.query('CREATE TRIGGER fail_audit BEFORE INSERT ON access_audit FOR EACH ROW EXECUTE FUNCTION fail_audit()');
    try {
      expect(await postRetry(JSON.stringify({ sessionId }))).toEqual({
        status: 503,
        body: {
          statusCode: 503,
          error: 'Service Unavailable',
          message: 'the retry and its audit could not be committed, so nothing was retried; try again',
        },
      });
      expect(await statusOf(sessionId)).toBe('failed');
      expect((await answer('/v1/artifacts')).status).toBe(503);
    } finally {
      await db.query('DROP TRIGGER fail_audit ON access_audit');
    }
    expect(await postRetry(JSON.stringify({ sessionId }))).toEqual({ status: 202, body: { retried: 1 } });
    const audited = await db.query<ErrorBody>(`SELECT 1 FROM access_audit WHERE session_id = $1 AND action = 'artifacts.retry'`, [
      sessionId,
    ]);
    expect(audited).toHaveLength(1);
  });
});
