import { randomUUID } from 'node:crypto';
import { FakeSukiApi, startFakeSukiApi } from '../support/fake-suki-api';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { eventually } from './retrieval.support';
import { FAST_RECONCILE, metricValue, pollRow, pollsOf, register, sessionView } from './reconcile.support';

/** Two replicas on one database share the polls; the horizon ends them with a flag. */
describe('reconciliation across replicas and at the horizon', () => {
  let db: TestDatabase;
  let fake: FakeSukiApi;
  let replicas: TestApp[];

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startFakeSukiApi();
    const env = { ...FAST_RECONCILE, SUKI_API_BASE_URL: fake.baseUrl, RECONCILE_HORIZON_MS: '1500', RETRIEVAL_POLL_MS: '10' };
    replicas = [await startTestApp(db.url, env), await startTestApp(db.url, env)];
  });

  afterAll(async () => {
    for (const replica of replicas ?? []) await replica.close();
    await fake?.close();
    await db?.drop();
  });

  it('never polls one session twice in a round, and flags the sessions still running at the horizon', async () => {
    const sessions = Array.from({ length: 40 }, () => randomUUID());
    for (const sessionId of sessions) fake.setSessionStatus(sessionId, 'running');
    const before = (await Promise.all(replicas.map((replica) => metricValue(replica.baseUrl, 'suki_sessions_unresolved_total')))).reduce(
      (a, b) => a + b,
    );
    // Half registered at each replica, so both hold work from the start.
    await Promise.all(sessions.map((sessionId, i) => register(replicas[i % 2].baseUrl, sessionId, { encounterId: randomUUID() })));

    const rows = await eventually(
      () => Promise.all(sessions.map((sessionId) => pollRow(db, sessionId))),
      (found) => found.every((row) => row.status === 'failed'),
      20_000,
    );
    expect(rows.map((row) => row.status)).toEqual(sessions.map(() => 'failed'));
    expect(rows[0].last_error).toMatch(/^still unknown at Suki after \d+ polls \(last said running\)$/);

    for (const sessionId of sessions) {
      const polls = pollsOf(fake, sessionId);
      // 1.5 s of horizon at 75–200 ms between polls: a bounded handful, never a burst (at least
      // three: on a machine busy with other suites the worker's rounds come further apart).
      expect(polls.length).toBeGreaterThanOrEqual(3);
      expect(polls.length).toBeLessThanOrEqual(Math.ceil(1500 / 75) + 2);
      // Two replicas claiming one session in the same round would send two polls at once. A claimed
      // poll may wait for a free call slot before it goes out (the worker keeps claimed work ready),
      // so the gap Suki sees can be shorter than the 75 ms floor, but never close to zero.
      for (let i = 1; i < polls.length; i += 1) expect(polls[i].receivedAt - polls[i - 1].receivedAt).toBeGreaterThanOrEqual(35);
    }
    // Flagged, not dropped: still pending and visible, its poll a dead letter, and counted.
    expect((await sessionView(replicas[0].baseUrl, sessions[0])).body).toMatchObject({ status: 'pending', source: 'registered' });
    const after = (await Promise.all(replicas.map((replica) => metricValue(replica.baseUrl, 'suki_sessions_unresolved_total')))).reduce(
      (a, b) => a + b,
    );
    expect(after - before).toBe(sessions.length);
    // Both replicas did share the polling (each counts the attempts it made).
    const pollsMade = await Promise.all(
      replicas.map((replica) => metricValue(replica.baseUrl, 'suki_retrieval_attempts_total{kind="status",outcome="ready"}')),
    );
    for (const made of pollsMade) expect(made).toBeGreaterThan(0);
    expect(pollsMade[0] + pollsMade[1]).toBe(sessions.reduce((sum, sessionId) => sum + pollsOf(fake, sessionId).length, 0));
  });
});
