import { aSuccessNotification } from '../support/notifications';
import { PushReceiver, startPushReceiver, waitFor } from '../support/push-receiver';
import { useTestApp } from '../support/use-test-app';
import { readToEnd } from './events.support';
import { compareWithFeed, PUSH_ENV, subscribe } from './push.support';

/** How long the receiver is down. The target is stated for a real minute, so this test takes one. */
const OUTAGE_MS = 60_000;

/**
 * A receiver that fails everything for a minute while events keep coming: it is probed (not
 * hammered) during the outage, and everything arrives, in order, soon after it is back.
 */
describe('a receiver down for a minute', () => {
  const { sut, post } = useTestApp({ env: PUSH_ENV });
  let receiver: PushReceiver;
  let secrets: string[] = [];

  beforeAll(async () => {
    receiver = await startPushReceiver(() => secrets);
  });

  afterAll(async () => {
    await receiver.close();
  });

  it('is probed at most every 30 s while down, and gets every event within 90 s of its return', async () => {
    const created = await subscribe(sut().baseUrl, { url: receiver.url });
    secrets = [created.secret];
    await post(aSuccessNotification());
    await waitFor(() => receiver.delivered().length === 1, 'the first delivery');

    // Down: every request answered 502, as a load balancer does with its backend gone.
    receiver.answer(() => ({ status: 502 }));
    const downAt = Date.now();
    const requestsBefore = receiver.requests;
    while (Date.now() - downAt < OUTAGE_MS) {
      await post(aSuccessNotification());
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // pacing the stream of notifications, not waiting on a result
    }
    const duringOutage = receiver.requests - requestsBefore;
    receiver.answer(() => ({ status: 204 }));
    const backAt = Date.now();

    const view = await fetch(`${sut().baseUrl}/v1/subscriptions/${created.id}`, {
      headers: { authorization: `Bearer ${PUSH_ENV.INTERNAL_API_CLIENTS.split(':')[2]}` },
    });
    expect(await view.json()).toMatchObject({ failingSince: expect.any(String), lastAttempt: { httpStatus: 502 } });

    let feed = (await readToEnd(sut().baseUrl, created.cursor)).items;
    await waitFor(
      async () => {
        feed = (await readToEnd(sut().baseUrl, created.cursor)).items;
        return compareWithFeed(feed, receiver.delivered()).missing.length === 0;
      },
      'every event after the return',
      90_000,
    );
    const caughtUpAfterMs = Date.now() - backAt;
    process.stdout.write(
      `outage: ${duringOutage} requests during ${OUTAGE_MS / 1000} s down; caught up ${caughtUpAfterMs} ms after the return; ${feed.length} events\n`,
    );
    expect(duringOutage).toBeLessThanOrEqual(60);
    expect(caughtUpAfterMs).toBeLessThan(90_000);
    expect(compareWithFeed(feed, receiver.delivered())).toMatchObject({ missing: [], outOfOrder: [] });
    expect(feed.length).toBeGreaterThan(50);
  }, 240_000);
});
