import { aSuccessNotification } from '../support/notifications';
import { PushReceiver, startPushReceiver, waitFor } from '../support/push-receiver';
import { useTestApp } from '../support/use-test-app';
import { readToEnd } from './events.support';
import { admin, PUSH_ENV, subscribe } from './push.support';

/** A subscription failing for PUSH_DISABLE_AFTER_MS is disabled, keeping its cursor; resuming delivers what waited. */
describe('a subscription failing too long', () => {
  const { sut, post } = useTestApp({ env: { ...PUSH_ENV, PUSH_DISABLE_AFTER_MS: '3000' } });
  let receiver: PushReceiver;
  let secrets: string[] = [];

  beforeAll(async () => {
    receiver = await startPushReceiver(() => secrets);
  });

  afterAll(async () => {
    await receiver.close();
  });

  it('is disabled with its cursor kept and subscription.disabled on the feed; resuming delivers from there', async () => {
    receiver.answer(() => ({ status: 500 }));
    const created = await subscribe(sut().baseUrl, { url: receiver.url });
    secrets = [created.secret];
    const refused = aSuccessNotification();
    await post(refused);
    await waitFor(
      async () => (await admin(sut().baseUrl, 'GET', `/v1/subscriptions/${created.id}`)).body.status === 'disabled',
      'disabled',
    );
    const view = await admin(sut().baseUrl, 'GET', `/v1/subscriptions/${created.id}`);
    expect(view.body).toMatchObject({
      cursor: created.cursor,
      failingSince: expect.any(String),
      lastAttempt: { httpStatus: 500, error: 'HTTP 500' },
    });
    const feed = (await readToEnd(sut().baseUrl, created.cursor)).items;
    expect(feed.map((item) => item.type)).toEqual(['session.completed', 'subscription.disabled']);
    expect(feed[1]).toMatchObject({ subscriptionId: created.id, encounterId: null });

    receiver.answer(() => ({ status: 204 }));
    await admin(sut().baseUrl, 'PATCH', `/v1/subscriptions/${created.id}`, { status: 'active' });
    await waitFor(() => receiver.delivered().length === 2, 'the waiting event and the disabling delivered');
    expect(
      receiver
        .delivered()
        .map((d) => d.event.type)
        .sort(),
    ).toEqual(['session.completed', 'subscription.disabled']);
    expect((await admin(sut().baseUrl, 'GET', `/v1/subscriptions/${created.id}`)).body).toMatchObject({
      status: 'active',
      failingSince: null,
    });
  });
});
