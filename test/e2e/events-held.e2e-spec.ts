import { Client } from 'pg';
import { applyMigrations } from '../../src/database/migrator';
import { EventsRepository } from '../../src/events/events.repository';
import { aSuccessNotification, postNotification } from '../support/notifications';
import { createPrivatePostgres, PrivatePostgres } from '../support/private-postgres';
import { parsePrometheus, sampleValue } from '../support/prometheus';
import { waitUntil } from '../support/spool-scenario';
import { startTestApp, TestApp } from '../support/test-app';
import { FeedAnswer, feedApi, readToEnd } from './events.support';

const WAITERS = 5;
const WAIT_SECONDS = 4;

/**
 * While any transaction on the cluster holds a transaction id, the feed serves nothing newer
 * (by design: gap-free). Its long-polls must then not each re-read the feed every 200 ms: they
 * wait on one shared, backing-off probe of the cluster's xmin, and serve at once when it moves.
 * The feed's lag says how long this has lasted. On a private cluster: the transaction held here
 * would hold back every other feed on a shared one.
 */
describe('the change feed behind an open transaction', () => {
  let pg: PrivatePostgres;
  let sut: TestApp;

  beforeAll(async () => {
    pg = await createPrivatePostgres();
    await applyMigrations(pg.url);
    sut = await startTestApp(pg.url);
  }, 120_000);

  afterAll(async () => {
    await sut?.close();
    await pg?.destroy();
  });

  const metric = async (name: string) => sampleValue(parsePrometheus(await (await fetch(`${sut.baseUrl}/metrics`)).text()), name);

  it('shares one backing-off probe among the waiting long-polls, serves once the transaction ends, and reports the lag', async () => {
    const get = feedApi(sut.baseUrl);
    await postNotification(sut.baseUrl, aSuccessNotification());
    const { cursor } = await readToEnd(sut.baseUrl);
    // The servable events are a minute old: the lag is measured from the newest of them.
    await pg.query(`UPDATE events SET occurred_at = occurred_at - interval '60 seconds'`);

    const held = new Client({ connectionString: pg.url });
    await held.connect();
    try {
      await held.query('BEGIN');
      await held.query('SELECT pg_current_xact_id()');
      const later = aSuccessNotification();
      expect((await postNotification(sut.baseUrl, later)).status).toBe(200);

      const reads = jest.spyOn(sut.app.get(EventsRepository), 'read');
      const probesBefore = (await metric('suki_events_frontier_probes_total')) ?? 0;
      const answers = await Promise.all(
        Array.from({ length: WAITERS }, () => get(`/v1/events?after=${encodeURIComponent(cursor)}&waitSeconds=${WAIT_SECONDS}`)),
      );
      const readCount = reads.mock.calls.length;
      reads.mockRestore();
      const probes = ((await metric('suki_events_frontier_probes_total')) ?? 0) - probesBefore;
      process.stderr.write(
        `${WAITERS} long-polls of ${WAIT_SECONDS} s behind an open transaction: ${readCount} feed reads, ${probes} probes\n`,
      );

      expect(answers.map((answer) => [answer.status, answer.body.items.length])).toEqual(answers.map(() => [200, 0]));
      // Re-reading every 200 ms would be WAITERS × WAIT_SECONDS × 5 reads; one read each and a few probes shared by all.
      expect(readCount).toBeLessThanOrEqual(2 * WAITERS);
      expect(probes).toBeGreaterThan(0);
      expect(probes).toBeLessThanOrEqual(8);

      await waitUntil('the lag reported', async () => ((await metric('suki_events_feed_lag_seconds')) ?? 0) >= 59, 15_000);

      const waiting = get(`/v1/events?after=${encodeURIComponent(cursor)}&waitSeconds=20`);
      await waitUntil('the long-poll waiting', async () => (await metric('suki_events_waiters')) === 1);
      const released = Date.now();
      await held.query('COMMIT');
      const served: FeedAnswer = await waiting;
      const tookMs = Date.now() - released;
      process.stderr.write(`held events served ${tookMs} ms after the transaction ended\n`);
      expect(served.body.items.map((item) => item.sessionId)).toContain(later.session_id);
      expect(tookMs).toBeLessThan(5_000);
    } finally {
      await held.query('ROLLBACK').catch(() => undefined);
      await held.end();
    }
    await waitUntil('no lag once nothing waits', async () => (await metric('suki_events_feed_lag_seconds')) === 0, 15_000);
  }, 90_000);
});
