import { randomUUID } from 'node:crypto';
import { aFailureNotification, postNotification } from '../support/notifications';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { FAST_RECONCILE, READER_TOKEN, register } from './reconcile.support';

/** PUT /v1/sessions/{sessionId} (docs/api.md): idempotent, scoped, audited. Retrieval is off here. */
describe('registering expected sessions', () => {
  let db: TestDatabase;
  let sut: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    sut = await startTestApp(db.url, { ...FAST_RECONCILE, RECONCILE_AFTER_MS: '300000' });
  });

  afterAll(async () => {
    await sut?.close();
    await db?.drop();
  });

  const row = async (id: string) =>
    (
      await db.query<{ encounter_id: string; source: string; ended_at: Date | null; status: string }>(
        'SELECT encounter_id, source, ended_at, status FROM sessions WHERE id = $1',
        [id],
      )
    )[0];
  const poll = async (id: string) =>
    (await db.query<{ next_attempt_at: Date }>(`SELECT next_attempt_at FROM artifacts WHERE owner_id = $1 AND kind = 'status'`, [id]))[0];

  it('answers 201 with the session view when new, then 200 and nothing else changed', async () => {
    const sessionId = randomUUID();
    const encounterId = randomUUID();
    const started = Date.now();
    const first = await register(sut.baseUrl, sessionId, { encounterId });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ sessionId, encounterId, registration: 'registered' });
    expect(await row(sessionId)).toMatchObject({ encounter_id: encounterId, source: 'registered', status: 'pending' });
    // The first poll is due RECONCILE_AFTER_MS after registration.
    const due = (await poll(sessionId)).next_attempt_at.getTime();
    expect(due).toBeGreaterThanOrEqual(started + 300_000 - 1_000);
    expect(due).toBeLessThanOrEqual(Date.now() + 300_000 + 1_000);

    const again = await register(sut.baseUrl, sessionId, { encounterId });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ sessionId, encounterId, registration: 'known' });
    // One pending event for followers: the session became known once.
    expect(await db.query(`SELECT type FROM events WHERE session_id = $1`, [sessionId])).toEqual([{ type: 'session.pending' }]);
  });

  it('answers a registrant only what it registered: never the status, errors or artifacts it has no `read` for', async () => {
    const sessionId = randomUUID();
    const encounterId = randomUUID();
    const failed = await postNotification(sut.baseUrl, aFailureNotification({ session_id: sessionId, encounter_id: encounterId }));
    expect(failed.body).toEqual({ outcome: 'applied' });
    const known = await register(sut.baseUrl, sessionId, { encounterId });
    expect(known).toEqual({ status: 200, body: { sessionId, encounterId, registration: 'known' } });
  });

  it('records an endedAt given later, and counts the first poll from it', async () => {
    const sessionId = randomUUID();
    const encounterId = randomUUID();
    await register(sut.baseUrl, sessionId, { encounterId });
    const endedAt = '2026-01-02T03:04:05.678Z';
    const known = await register(sut.baseUrl, sessionId, { encounterId, endedAt });
    expect(known.status).toBe(200);
    expect((await row(sessionId)).ended_at?.toISOString()).toBe(endedAt);
    expect((await poll(sessionId)).next_attempt_at.toISOString()).toBe(new Date(Date.parse(endedAt) + 300_000).toISOString());
    expect(await db.query(`SELECT type FROM events WHERE session_id = $1`, [sessionId])).toEqual([{ type: 'session.pending' }]);
  });

  it('answers 409 for a session known under another encounter, and changes nothing', async () => {
    const sessionId = randomUUID();
    const encounterId = randomUUID();
    await register(sut.baseUrl, sessionId, { encounterId });
    const other = randomUUID();
    const conflict = await register(sut.baseUrl, sessionId, { encounterId: other, endedAt: '2026-01-02T03:04:05Z' });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ statusCode: 409, message: 'the session is known under another encounter' });
    expect(await row(sessionId)).toMatchObject({ encounter_id: encounterId, ended_at: null });
    expect(await db.query('SELECT id FROM encounters WHERE id = $1', [other])).toEqual([]);
  });

  it.each([
    { body: 'not json', message: 'the body is not valid JSON' },
    { body: [], message: 'the body must be a JSON object' },
    { body: {}, message: /^encounterId must be/ },
    { body: { encounterId: 42 }, message: /^encounterId must be/ },
    { body: { encounterId: 'e\u0000' }, message: /^encounterId must be/ },
    { body: { encounterId: 'e', endedAt: 'yesterday' }, message: /^endedAt must be an ISO-8601/ },
    { body: { encounterId: 'e', endedAt: '2026-01-02T03:04:05' }, message: /^endedAt must be an ISO-8601/ },
    { body: { encounterId: 'e', endedAt: '2999-01-01T00:00:00Z' }, message: /^endedAt must not be/ },
    { body: { encounterId: 'e', endAt: '2026-01-02T03:04:05Z' }, message: 'unknown field endAt' },
  ])('answers 400 naming the field for $body, and stores nothing', async ({ body, message }) => {
    const sessionId = randomUUID();
    const answer = await register(sut.baseUrl, sessionId, body);
    expect(answer.status).toBe(400);
    expect(answer.body.message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
    expect(await row(sessionId)).toBeUndefined();
  });

  it('needs scope register: a reader gets 403 and nothing is stored', async () => {
    const sessionId = randomUUID();
    const answer = await register(sut.baseUrl, sessionId, { encounterId: randomUUID() }, READER_TOKEN);
    expect(answer.status).toBe(403);
    expect(await row(sessionId)).toBeUndefined();
    expect((await register(sut.baseUrl, sessionId, { encounterId: 'e' }, 'no-such-token')).status).toBe(401);
  });

  it('audits every registration with the client and the ids', async () => {
    const sessionId = randomUUID();
    const encounterId = randomUUID();
    await register(sut.baseUrl, sessionId, { encounterId });
    await register(sut.baseUrl, sessionId, { encounterId });
    await register(sut.baseUrl, sessionId, { encounterId: randomUUID() });
    const audit = await db.query('SELECT client, action, session_id, encounter_id FROM access_audit WHERE session_id = $1', [sessionId]);
    expect(audit).toEqual([
      { client: 'registrar', action: 'session.register', session_id: sessionId, encounter_id: encounterId },
      { client: 'registrar', action: 'session.register', session_id: sessionId, encounter_id: encounterId },
    ]);
  });

  it('registers one session once when many registrations race', async () => {
    const sessionId = randomUUID();
    const encounterId = randomUUID();
    const answers = await Promise.all(Array.from({ length: 8 }, () => register(sut.baseUrl, sessionId, { encounterId })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(await db.query(`SELECT kind FROM artifacts WHERE owner_id = $1`, [sessionId])).toEqual([{ kind: 'status' }]);
  });
});
