import { aSuccessNotification, aTimeoutNotification, postNotification } from '../support/notifications';
import { PushReceiver, startPushReceiver, waitFor } from '../support/push-receiver';
import { ServiceProcess, startServiceProcess, stopServiceProcess } from '../support/service-process';
import { TEST_INTERNAL_TOKEN, TEST_WEBHOOK_SECRET } from '../support/test-app';
import { useTestApp } from '../support/use-test-app';
import { readToEnd } from './events.support';
import { compareWithFeed, PUSH_ADMIN, PUSH_ENV, subscribe } from './push.support';

const MAX_IN_FLIGHT = 8;
const LEASE_MS = 20_000;

/**
 * The compiled service killed with -9 mid-delivery, and two replicas on one database: every
 * event still arrives, in order per session, with at most 2 × maxInFlight sent again.
 */
describe('push delivery across crashes and replicas', () => {
  const { db } = useTestApp({ app: false, scope: 'test' });
  const services: ServiceProcess[] = [];
  let receiver: PushReceiver;
  let secrets: string[] = [];

  beforeEach(async () => {
    // Slow enough that deliveries are in flight whenever the kill comes.
    receiver = await startPushReceiver(() => secrets, { answerMs: 100 });
  });

  afterEach(async () => {
    for (const service of services.splice(0)) await stopServiceProcess(service, 'SIGKILL');
    await receiver.close();
  });

  const startService = async () => {
    const service = await startServiceProcess({
      DATABASE_URL: db().url,
      MIGRATE_ON_START: 'false',
      SUKI_WEBHOOK_SECRETS: TEST_WEBHOOK_SECRET,
      SUKI_API_TOKEN: 'test-suki-token',
      SUKI_API_BASE_URL: 'http://127.0.0.1:9',
      RETRIEVAL_ENABLED: 'false',
      INTERNAL_API_TOKENS: TEST_INTERNAL_TOKEN,
      ...PUSH_ENV,
      PUSH_LEASE_MS: String(LEASE_MS),
    });
    services.push(service);
    return service;
  };

  /** Two events per session (timed out, then completed), sessions spread over the given services. */
  async function postSessions(baseUrls: string[], count: number): Promise<void> {
    const now = Date.now();
    for (let i = 0; i < count; i += 1) {
      const timeout = aTimeoutNotification();
      const success = aSuccessNotification({ session_id: timeout.session_id, encounter_id: timeout.encounter_id });
      const url = baseUrls[i % baseUrls.length];
      expect((await postNotification(url, timeout, { generatedAt: now + i })).status).toBe(200);
      expect((await postNotification(url, success, { generatedAt: now + i + 1000 })).status).toBe(200);
    }
  }

  async function expectComplete(baseUrl: string, cursor: string, timeoutMs: number) {
    let feed = (await readToEnd(baseUrl, cursor)).items;
    await waitFor(
      async () => {
        feed = (await readToEnd(baseUrl, cursor)).items;
        return compareWithFeed(feed, receiver.delivered()).missing.length === 0;
      },
      'every event delivered',
      timeoutMs,
    );
    const result = compareWithFeed(feed, receiver.delivered());
    expect(receiver.all().every((d) => d.verifiedWith.length > 0)).toBe(true);
    expect({ missing: result.missing, outOfOrder: result.outOfOrder }).toEqual({ missing: [], outOfOrder: [] });
    expect(result.duplicates).toBeLessThanOrEqual(2 * MAX_IN_FLIGHT);
    return { feed, duplicates: result.duplicates };
  }

  it('kill -9 mid-delivery, then a restart: nothing skipped, order kept, at most 2 × maxInFlight again', async () => {
    const first = await startService();
    const created = await subscribe(first.baseUrl, { url: receiver.url, maxInFlight: MAX_IN_FLIGHT });
    secrets = [created.secret];
    await postSessions([first.baseUrl], 150);
    await waitFor(() => receiver.delivered().length >= 60, 'deliveries under way');
    first.kill('SIGKILL');
    await first.exited;
    const second = await startService();
    await postSessions([second.baseUrl], 20);
    const { feed, duplicates } = await expectComplete(second.baseUrl, created.cursor, LEASE_MS + 60_000);
    expect(feed.length).toBe(340);
    process.stdout.write(`kill -9: ${feed.length} events, ${duplicates} sent twice\n`);
  }, 180_000);

  it('two replicas: one dispatches; killing it moves the lease within one lease period, nothing skipped', async () => {
    const [a, b] = [await startService(), await startService()];
    const created = await subscribe(a.baseUrl, { url: receiver.url, maxInFlight: MAX_IN_FLIGHT });
    secrets = [created.secret];
    await postSessions([a.baseUrl, b.baseUrl], 100);
    await waitFor(() => receiver.delivered().length >= 50, 'deliveries under way');
    const [{ holder }] = await db().query<{ holder: string }>(`SELECT holder FROM leases WHERE name = $1`, [
      `push:subscription:${created.id}`,
    ]);
    const [holding, other] = holder.includes(`:${a.child.pid}:`) ? [a, b] : [b, a];
    holding.kill('SIGKILL');
    const killedAt = Date.now();
    await holding.exited;
    await postSessions([other.baseUrl], 20);
    const deliveredBefore = receiver.delivered().length;
    await waitFor(() => receiver.delivered().length > deliveredBefore, 'the other replica delivering', LEASE_MS + 10_000);
    expect(Date.now() - killedAt).toBeLessThan(LEASE_MS + 5_000);
    const { feed, duplicates } = await expectComplete(other.baseUrl, created.cursor, 60_000);
    expect(feed.length).toBe(240);
    process.stdout.write(`replicas: ${feed.length} events, ${duplicates} sent twice\n`);
    // The survivor moves the cursor past everything (its flushes run every 200 ms).
    const view = async () =>
      (await (
        await fetch(`${other.baseUrl}/v1/subscriptions/${created.id}`, { headers: { authorization: `Bearer ${PUSH_ADMIN}` } })
      ).json()) as {
        status: string;
        lagEvents: number;
      };
    await waitFor(async () => (await view()).lagEvents === 0, 'the cursor past every event', 10_000);
    expect(await view()).toMatchObject({ status: 'active', lagEvents: 0 });
  }, 180_000);
});
