import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { EventsRetention } from '../../src/events/events-retention';
import { aFailureNotification, aSuccessNotification, postNotification } from '../support/notifications';
import { useTestApp } from '../support/use-test-app';
import { waitFor } from '../support/waiting';
import { feedApi, FeedItem, feedSettled, feedWaiters, readToEnd as readAll } from './events.support';
import { ISO_UTC, markArtifactReady } from './query.support';

describe('change feed: GET /v1/events', () => {
  const { db, sut } = useTestApp();
  const get = (path: string, token?: string | null) => feedApi(sut().baseUrl)(path, token);
  const readToEnd = async (baseUrl: string, after?: string, query?: string) => {
    await feedSettled(db());
    return readAll(baseUrl, after, query);
  };
  const post = async (body: Record<string, unknown>) => expect((await postNotification(sut().baseUrl, body)).status).toBe(200);
  const sessionEvents = async (sessionId: string, after = 'start') =>
    (await readToEnd(sut().baseUrl, after)).items.filter((item) => item.sessionId === sessionId);

  it('records a success as its session completing and its known siblings becoming pending, identifiers and states only', async () => {
    const sessionId = randomUUID();
    const sibling = randomUUID();
    const notification = aSuccessNotification({
      session_id: sessionId,
      sessions: [sessionId, sibling],
      additional_info: { note: 'PATIENT-NOTE-TEXT' },
    });
    await post(notification);

    const { items } = await readToEnd(sut().baseUrl);
    const mine = items.filter((item) => item.encounterId === notification.encounter_id);
    expect(mine.map(({ type, sessionId: s, encounterId, status }) => ({ type, sessionId: s, encounterId, status }))).toEqual([
      { type: 'session.completed', sessionId, encounterId: notification.encounter_id, status: 'completed' },
      { type: 'session.pending', sessionId: sibling, encounterId: notification.encounter_id, status: 'pending' },
    ]);
    for (const item of mine) {
      expect(Object.keys(item).sort()).toEqual(['encounterId', 'id', 'occurredAt', 'sessionId', 'status', 'type']);
      expect(item.occurredAt).toMatch(ISO_UTC);
    }
    expect(new Set(mine.map((item) => item.id)).size).toBe(2);
    expect(JSON.stringify(items)).not.toContain('PATIENT-NOTE-TEXT');
  });

  it('records artifacts as they become ready, and results_ready once, when the last session-level one is', async () => {
    const notification = aSuccessNotification();
    const sessionId = notification.session_id;
    await post(notification);
    const { cursor } = await readToEnd(sut().baseUrl);

    await markArtifactReady(db(), sessionId, 'contents', { note: 'PATIENT-NOTE-TEXT' });
    await markArtifactReady(db(), notification.encounter_id, 'encounter_content', { note: 'PATIENT-NOTE-TEXT' });
    await markArtifactReady(db(), sessionId, 'structured_data', { note: 'PATIENT-NOTE-TEXT' });
    expect((await readToEnd(sut().baseUrl, cursor)).items.map((item) => item.type)).not.toContain('session.results_ready');
    await markArtifactReady(db(), sessionId, 'transcripts', { note: 'PATIENT-NOTE-TEXT' });

    const { items } = await readToEnd(sut().baseUrl, cursor);
    expect(items.map(({ type, sessionId: s, kind }) => [type, s, kind ?? null])).toEqual([
      ['artifact.ready', sessionId, 'contents'],
      ['artifact.ready', null, 'encounter_content'],
      ['artifact.ready', sessionId, 'structured_data'],
      ['artifact.ready', sessionId, 'transcripts'],
      ['session.results_ready', sessionId, null],
    ]);
    expect(JSON.stringify(items)).not.toContain('PATIENT-NOTE-TEXT');
  });

  it('records one results_ready when the last two artifacts become ready at once in two transactions', async () => {
    const notification = aSuccessNotification();
    const sessionId = notification.session_id;
    await post(notification);
    await markArtifactReady(db(), sessionId, 'contents', {});
    const workers = [new Client({ connectionString: db().url }), new Client({ connectionString: db().url })];
    await Promise.all(workers.map((worker) => worker.connect()));
    try {
      // Both updates are in, neither committed, when the two commits race.
      await Promise.all(workers.map((worker) => worker.query('BEGIN')));
      await workers[0].query(`UPDATE artifacts SET status = 'ready' WHERE owner_id = $1 AND kind = 'structured_data'`, [sessionId]);
      await workers[1].query(`UPDATE artifacts SET status = 'ready' WHERE owner_id = $1 AND kind = 'transcripts'`, [sessionId]);
      await Promise.all(workers.map((worker) => worker.query('COMMIT')));
    } finally {
      await Promise.all(workers.map((worker) => worker.end()));
    }
    const ready = (await sessionEvents(sessionId)).filter((item) => item.type === 'session.results_ready');
    expect(ready).toHaveLength(1);
  });

  it('records a failed session, and a refused link as a failed artifact', async () => {
    const failure = aFailureNotification();
    await post(failure);
    const refused = aSuccessNotification({ _links: { contents: [{ href: 'https://elsewhere.example/steal', method: 'GET' }] } });
    await post(refused);

    expect((await sessionEvents(failure.session_id)).map((item) => item.type)).toEqual(['session.failed']);
    expect((await sessionEvents(refused.session_id)).map((item) => [item.type, item.kind])).toEqual([
      ['session.completed', undefined],
      ['artifact.failed', 'contents'],
    ]);
  });

  it('filters by type, and continues from nextCursor without repeating or skipping', async () => {
    const before = (await readToEnd(sut().baseUrl)).cursor;
    const failure = aFailureNotification();
    const success = aSuccessNotification();
    await post(failure);
    await post(success);

    const failed = await readToEnd(sut().baseUrl, before, '&types=session.failed');
    expect(failed.items.map((item) => item.sessionId)).toEqual([failure.session_id]);
    const paged: FeedItem[] = [];
    let cursor = before;
    for (let i = 0; i < 10; i += 1) {
      await feedSettled(db());
      const answer = await get(`/v1/events?after=${cursor}&limit=1`);
      expect(answer.body.nextCursor).toEqual(expect.any(String));
      paged.push(...answer.body.items);
      cursor = answer.body.nextCursor;
    }
    expect(paged.map((item) => item.sessionId)).toEqual([failure.session_id, success.session_id]);
    // Any event's id is a cursor too.
    const after = await readToEnd(sut().baseUrl, paged[0].id);
    expect(after.items.map((item) => item.sessionId)).toEqual([success.session_id]);
  });

  it('after=now skips what is already there', async () => {
    await post(aFailureNotification());
    const answer = await get('/v1/events?after=now');
    expect(answer.status).toBe(200);
    expect(answer.body.items).toEqual([]);
    const next = aFailureNotification();
    await post(next);
    expect((await readToEnd(sut().baseUrl, answer.body.nextCursor)).items.map((item) => item.sessionId)).toEqual([next.session_id]);
  });

  it('long-polls: an empty answer waits, and a new event wakes it well before waitSeconds', async () => {
    const { cursor } = await readToEnd(sut().baseUrl);
    const started = Date.now();
    let answered = false;
    const waiting = get(`/v1/events?after=${cursor}&waitSeconds=20`).finally(() => (answered = true));
    await waitFor(async () => (await feedWaiters(sut().baseUrl)) >= 1, 'the long-poll to be waiting', 10_000);
    // The empty answer waits: nothing has come back by the time the event is posted.
    expect(answered).toBe(false);
    const failure = aFailureNotification();
    await post(failure);
    const answer = await waiting;
    const tookMs = Date.now() - started;

    expect(answer.body.items.map((item) => item.sessionId)).toEqual([failure.session_id]);
    // Well before waitSeconds, allowing for other suites' transactions on the shared server.
    expect(tookMs).toBeLessThan(8_000);
  });

  it('answers an empty long-poll after waitSeconds, with a cursor to continue from', async () => {
    const { cursor } = await readToEnd(sut().baseUrl);
    const started = Date.now();
    const answer = await get(`/v1/events?after=${cursor}&waitSeconds=1`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(answer.body.items).toEqual([]);
    expect(answer.body.nextCursor).toMatch(/^[\w-]+\.[\w-]+$/);
  });

  it.each([
    ['a malformed cursor', 'after=not-a-cursor', /after is not a cursor/],
    ['a tampered cursor', 'after=MTIzOjQ1.AAAAAAAAAAAAAAAA', /after is not a cursor/],
    ['an unknown type', 'types=session.exploded', /types must be a comma-separated list of: session.pending/],
    ['a limit of 0', 'limit=0', /limit must be a whole number from 1 to 1000/],
    ['a limit over 1000', 'limit=1001', /limit must be a whole number from 1 to 1000/],
    ['waitSeconds over 30', 'waitSeconds=31', /waitSeconds must be a whole number from 0 to 30/],
    ['an unknown parameter', 'cursor=x', /property cursor should not exist/],
  ])('refuses %s with 400', async (_case, query, message) => {
    const answer = await get(`/v1/events?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(message);
  });

  it('needs a bearer token', async () => {
    expect((await get('/v1/events', null)).status).toBe(401);
  });

  it('purges events older than EVENTS_RETENTION_DAYS; an older cursor gets 410 naming start and now', async () => {
    const oldCursor = (await get('/v1/events?after=start&limit=1')).body.nextCursor;
    const kept = aFailureNotification();
    await post(kept);
    const keptCursor = (await readToEnd(sut().baseUrl)).cursor;
    await db().query(`UPDATE events SET occurred_at = now() - interval '31 days' WHERE session_id IS DISTINCT FROM $1`, [kept.session_id]);

    const purged = await sut().app.get(EventsRetention).runOnce();
    expect(purged).toBeGreaterThan(0);

    const gone = await get(`/v1/events?after=${oldCursor}`);
    expect(gone.status).toBe(410);
    expect(gone.body.message).toMatch(/EVENTS_RETENTION_DAYS=30.*after=start.*after=now/);
    const fromStart = await readToEnd(sut().baseUrl, 'start');
    expect(fromStart.items.map((item) => item.sessionId)).toEqual([kept.session_id]);
    expect((await get(`/v1/events?after=${keptCursor}`)).status).toBe(200);
  });
});
