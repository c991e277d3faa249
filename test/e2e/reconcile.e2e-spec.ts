import { randomUUID } from 'node:crypto';
import { bodyFor, FakeSukiApi, startFakeSukiApi } from '../support/fake-suki-api';
import { aSuccessNotification, postNotification } from '../support/notifications';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { artifactsOf, eventually } from './retrieval.support';
import { FAST_RECONCILE, metricValue, pollRow, pollsOf, register, sessionView } from './reconcile.support';

/**
 * Sessions whose notification never arrives (never sent, or lost while this service was down:
 * Suki does not resend) are reconciled by polling Suki's status endpoint (docs/architecture.md).
 */
describe('missed-notification recovery', () => {
  let db: TestDatabase;
  let fake: FakeSukiApi;
  let sut: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startFakeSukiApi();
    sut = await startTestApp(db.url, { ...FAST_RECONCILE, SUKI_API_BASE_URL: fake.baseUrl });
  });

  afterAll(async () => {
    await sut?.close();
    await fake?.close();
    await db?.drop();
  });

  const settledView = (sessionId: string) =>
    eventually(
      () => sessionView(sut.baseUrl, sessionId),
      (view) => view.body.status !== 'pending',
    );

  it('settles a registered session Suki reports completed, and fetches its note from the documented paths', async () => {
    const sessionId = randomUUID();
    const encounterId = randomUUID();
    fake.setSessionStatus(sessionId, 'completed');
    const before = await metricValue(sut.baseUrl, 'suki_sessions_reconciled_total{status="completed"}');

    const created = await register(sut.baseUrl, sessionId, { encounterId });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ sessionId, encounterId, registration: 'registered' });

    const rows = await eventually(
      () => artifactsOf(db, encounterId),
      (found) => found.length === 6 && found.every((row) => row.status === 'ready'),
    );
    expect(rows.map((row) => row.kind).sort()).toEqual(
      ['contents', 'encounter_content', 'encounter_structured_data', 'status', 'structured_data', 'transcripts'].sort(),
    );
    const contents = rows.find((row) => row.kind === 'contents');
    expect(contents?.data).toEqual(bodyFor(`/api/v1/ambient/session/${sessionId}/content`));
    const view = await sessionView(sut.baseUrl, sessionId);
    expect(view.body).toMatchObject({ status: 'completed', source: 'reconciled', lastEventAt: null });
    expect((await db.query('SELECT status FROM encounters WHERE id = $1', [encounterId]))[0]).toEqual({ status: 'completed' });
    expect(pollsOf(fake, sessionId)).toHaveLength(1);
    expect(await metricValue(sut.baseUrl, 'suki_sessions_reconciled_total{status="completed"}')).toBe(before + 1);
    // The change feed told followers: pending on registration, completed when reconciled, then results_ready.
    const events = await db.query<{ type: string }>('SELECT type FROM events WHERE session_id = $1 ORDER BY xid, position', [sessionId]);
    expect(events.map((event) => event.type).filter((type) => type.startsWith('session.'))).toEqual([
      'session.pending',
      'session.completed',
      'session.results_ready',
    ]);
  });

  it.each([
    { suki: 'failed', status: 'failed' },
    { suki: 'aborted', status: 'cancelled' },
    { suki: 'skipped', status: 'skipped' },
  ])('settles a registered session Suki reports $suki as $status, fetching nothing else', async ({ suki, status }) => {
    const sessionId = randomUUID();
    const encounterId = randomUUID();
    fake.setSessionStatus(sessionId, suki);
    expect((await register(sut.baseUrl, sessionId, { encounterId })).status).toBe(201);

    const view = await settledView(sessionId);
    expect(view.body).toMatchObject({ status, source: 'reconciled' });
    expect((view.body.artifacts as Array<{ kind: string; status: string }>).map((a) => [a.kind, a.status])).toEqual([['status', 'ready']]);
    expect((await artifactsOf(db, encounterId)).map((row) => row.kind)).toEqual(['status']);
  });

  it('keeps polling a session Suki still reports running, with growing waits, and leaves it pending', async () => {
    const sessionId = randomUUID();
    fake.setSessionStatus(sessionId, 'running');
    expect((await register(sut.baseUrl, sessionId, { encounterId: randomUUID() })).status).toBe(201);

    const polls = await eventually(
      () => pollsOf(fake, sessionId),
      (found) => found.length >= 4,
    );
    expect(polls.length).toBeGreaterThanOrEqual(4);
    // Never closer than the jittered floor of the backoff (3/4 of 100 ms), whatever the worker's poll rate.
    for (let i = 1; i < polls.length; i += 1) expect(polls[i].receivedAt - polls[i - 1].receivedAt).toBeGreaterThanOrEqual(70);
    const view = await sessionView(sut.baseUrl, sessionId);
    expect(view.body).toMatchObject({ status: 'pending', source: 'registered' });
    expect(await pollRow(db, sessionId)).toMatchObject({ status: 'pending', last_error: 'session still running at Suki' });

    // Once Suki has the answer, the next poll settles it.
    fake.setSessionStatus(sessionId, 'failed');
    expect((await settledView(sessionId)).body).toMatchObject({ status: 'failed', source: 'reconciled' });
  });

  it('lets a notification that arrives after registration win, and stops polling', async () => {
    const sessionId = randomUUID();
    const encounterId = randomUUID();
    // The poll is due 150 ms after the end the registrant gives: 30 s ahead leaves the notification time to come first.
    const endedAt = new Date(Date.now() + 30_000).toISOString();
    expect((await register(sut.baseUrl, sessionId, { encounterId, endedAt })).status).toBe(201);
    expect(await pollRow(db, sessionId)).toMatchObject({ status: 'pending', attempts: 0 });

    expect((await postNotification(sut.baseUrl, aSuccessNotification({ session_id: sessionId, encounter_id: encounterId }))).status).toBe(
      200,
    );
    const view = await sessionView(sut.baseUrl, sessionId);
    expect(view.body).toMatchObject({ status: 'completed', source: 'notification' });
    // The poll is gone, so no status call is ever made for it.
    expect(await pollRow(db, sessionId)).toBeUndefined();
    expect(pollsOf(fake, sessionId)).toHaveLength(0);
  });

  it('lets a notification that arrives after a reconciled settlement override it', async () => {
    const sessionId = randomUUID();
    const encounterId = randomUUID();
    fake.setSessionStatus(sessionId, 'failed');
    await register(sut.baseUrl, sessionId, { encounterId });
    expect((await settledView(sessionId)).body).toMatchObject({ status: 'failed', source: 'reconciled' });

    const late = aSuccessNotification({ session_id: sessionId, encounter_id: encounterId });
    expect((await postNotification(sut.baseUrl, late)).body).toEqual({ outcome: 'applied' });
    expect((await sessionView(sut.baseUrl, sessionId)).body).toMatchObject({ status: 'completed', source: 'notification' });
  });

  it("reconciles a session known only from another notification's sessions array", async () => {
    const notified = randomUUID();
    const silent = randomUUID();
    const encounterId = randomUUID();
    fake.setSessionStatus(silent, 'completed');
    await postNotification(
      sut.baseUrl,
      aSuccessNotification({ session_id: notified, encounter_id: encounterId, sessions: [notified, silent] }),
    );

    const view = await settledView(silent);
    expect(view.body).toMatchObject({ status: 'completed', source: 'reconciled' });
    await eventually(
      () => artifactsOf(db, encounterId),
      (rows) => rows.filter((row) => row.kind === 'contents').length === 2 && rows.every((row) => row.status === 'ready'),
    );
    expect(pollsOf(fake, silent)).toHaveLength(1);
    // The notified session was never polled: its notification came.
    expect(pollsOf(fake, notified)).toHaveLength(0);
  });
});

describe('missed-notification polls and notes already announced', () => {
  let db: TestDatabase;
  let fake: FakeSukiApi;

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startFakeSukiApi();
  });

  afterAll(async () => {
    await fake?.close();
    await db?.drop();
  });

  it('fetches the note of a notification first, and still polls within its own budget', async () => {
    // Written while no worker runs, so that both kinds of work are due at the first claim.
    const writer = await startTestApp(db.url, FAST_RECONCILE);
    const silent = Array.from({ length: 3 }, () => randomUUID());
    // Still running: a poll queues no results of its own.
    for (const sessionId of silent) fake.setSessionStatus(sessionId, 'running');
    try {
      for (const sessionId of silent)
        await register(writer.baseUrl, sessionId, { encounterId: randomUUID(), endedAt: '2026-01-01T00:00:00Z' });
      await postNotification(writer.baseUrl, aSuccessNotification());
    } finally {
      await writer.close();
    }
    const worker = await startTestApp(db.url, { ...FAST_RECONCILE, SUKI_API_BASE_URL: fake.baseUrl, SUKI_MAX_CONCURRENCY: '1' });
    try {
      await eventually(
        () => fake.requests.length,
        (count) => count >= 5 + silent.length,
      );
    } finally {
      await worker.close();
    }
    // The note goes first; polls have a budget of their own, so they are neither starved nor ahead of it.
    const order = fake.requests.map((request) => (request.path.endsWith('/status') ? 'poll' : 'result'));
    expect(order[0]).toBe('result');
    expect([...order.slice(0, 8)].sort()).toEqual([...Array<string>(3).fill('poll'), ...Array<string>(5).fill('result')]);
  });
});
