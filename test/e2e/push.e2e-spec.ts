import { aFailureNotification, aSuccessNotification } from '../support/notifications';
import { startPushReceiver, PushReceiver, waitFor } from '../support/push-receiver';
import { useTestApp } from '../support/use-test-app';
import { readToEnd } from './events.support';
import { admin, compareWithFeed, Created, PUSH_ENV, subscribe } from './push.support';

const NOTE_MARKER = 'PATIENT-NOTE-TEXT-7f3a';

/** Push subscriptions against real receivers that verify every delivery with the Standard Webhooks library. */
describe('push subscriptions', () => {
  const { sut, post, suki } = useTestApp({
    env: { ...PUSH_ENV, SUKI_FETCH_LINKS: 'contents,encounter_content' },
    suki: { marker: NOTE_MARKER },
  });
  const receivers: PushReceiver[] = [];
  let secrets: string[] = [];
  const receiver = async () => {
    const started = await startPushReceiver(() => secrets);
    receivers.push(started);
    return started;
  };
  const base = () => sut().baseUrl;

  afterEach(async () => {
    for (const r of receivers.splice(0)) await r.close();
    // Leave no subscription dispatching into the next test.
    const list = await admin<{ items: Array<{ id: string }> }>(base(), 'GET', '/v1/subscriptions?limit=200');
    for (const item of list.body.items) await admin(base(), 'DELETE', `/v1/subscriptions/${item.id}`);
    secrets = [];
  });

  it('delivers every feed event, signed, in order per session, with no note text', async () => {
    const r = await receiver();
    const created = await subscribe(base(), { url: r.url, after: 'now' });
    secrets = [created.secret];
    expect(created).toEqual({
      id: expect.any(String),
      url: r.url,
      types: null,
      status: 'active',
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      cursor: expect.any(String),
      createdAt: expect.any(String),
    });
    const notifications = Array.from({ length: 6 }, (_, i) => (i % 3 === 2 ? aFailureNotification() : aSuccessNotification()));
    for (const n of notifications) await post(n);
    suki().setMarker(NOTE_MARKER);
    const feed = async () => (await readToEnd(base(), created.cursor)).items;
    await waitFor(async () => {
      const items = await feed();
      return items.some((i) => i.type === 'session.results_ready') && compareWithFeed(items, r.delivered()).missing.length === 0;
    }, 'every feed event delivered');
    const items = await feed();
    const { missing, outOfOrder } = compareWithFeed(items, r.delivered());
    expect({ missing, outOfOrder }).toEqual({ missing: [], outOfOrder: [] });
    expect(r.all().every((d) => d.verifiedWith.length === 1)).toBe(true);
    // The body is the event exactly as /v1/events serves it, and never note content.
    const byId = new Map(items.map((item) => [item.id, item]));
    for (const d of r.delivered()) expect(JSON.parse(d.body)).toEqual(byId.get(d.id));
    expect(r.all().some((d) => d.body.includes(NOTE_MARKER))).toBe(false);
    const view = await admin(base(), 'GET', `/v1/subscriptions/${created.id}`);
    expect(view.status).toBe(200);
    expect(JSON.stringify(view.body)).not.toContain(created.secret);
    expect(view.body).toMatchObject({
      id: created.id,
      status: 'active',
      failingSince: null,
      lastAttempt: { httpStatus: 204, error: null },
    });
  });

  it('refuses a host not in PUSH_ALLOWED_HOSTS (400) and never contacts it', async () => {
    const r = await receiver();
    const answer = await admin(base(), 'POST', '/v1/subscriptions', { url: `http://127.0.0.2:${r.port}/hooks` });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ message: expect.stringContaining('PUSH_ALLOWED_HOSTS') });
    const other = await admin(base(), 'POST', '/v1/subscriptions', { url: `http://localhost.example.com:${r.port}/hooks` });
    expect(other.status).toBe(400);
    await post(aSuccessNotification());
    expect(r.requests).toBe(0);
  });

  it('does not follow a redirect: a failure recorded with its 3xx', async () => {
    const target = await receiver();
    const r = await receiver();
    r.answer(() => ({ status: 307, headers: { location: target.url } }));
    const created = await subscribe(base(), { url: r.url });
    secrets = [created.secret];
    await post(aSuccessNotification());
    await waitFor(async () => (await attempts(created)).length > 0, 'an attempt recorded', 15_000);
    expect((await attempts(created))[0]).toMatchObject({ httpStatus: 307, error: expect.stringContaining('redirect') });
    expect(target.requests).toBe(0);
    const view = await admin(base(), 'GET', `/v1/subscriptions/${created.id}`);
    expect(view.body).toMatchObject({ failingSince: expect.any(String), lastAttempt: { httpStatus: 307 } });
  });

  it('is disabled at once by a 410, keeps its cursor, puts subscription.disabled on the feed, and resumes from there', async () => {
    const r = await receiver();
    r.answer(() => ({ status: 410 }));
    const created = await subscribe(base(), { url: r.url, types: ['session.completed'] });
    secrets = [created.secret];
    const first = aSuccessNotification();
    await post(first);
    await waitFor(
      async () => (await admin(base(), 'GET', `/v1/subscriptions/${created.id}`)).body.status === 'disabled',
      'disabled',
      15_000,
    );
    // The feed serves an event once no older transaction is still open: wait for it, not for a read.
    let feed: Awaited<ReturnType<typeof readToEnd>>['items'] = [];
    await waitFor(
      async () => (feed = (await readToEnd(base(), created.cursor)).items).some((i) => i.type === 'subscription.disabled'),
      'subscription.disabled on the feed',
      15_000,
    );
    expect(feed.filter((i) => i.type === 'subscription.disabled')).toEqual([
      {
        id: expect.any(String),
        type: 'subscription.disabled',
        occurredAt: expect.any(String),
        sessionId: null,
        encounterId: null,
        subscriptionId: created.id,
      },
    ]);
    expect((await admin(base(), 'GET', `/v1/subscriptions/${created.id}`)).body.cursor).toBe(created.cursor);
    r.answer(() => ({ status: 200 }));
    expect((await admin(base(), 'PATCH', `/v1/subscriptions/${created.id}`, { status: 'active' })).status).toBe(200);
    await waitFor(
      () => r.delivered().some((d) => d.event.sessionId === first.session_id),
      'the refused event delivered after resuming',
      15_000,
    );
    expect(r.delivered().every((d) => d.event.type === 'session.completed')).toBe(true);
  });

  it('pauses (nothing starts once answered), resumes, replays from start, and rotates with both signatures verifying', async () => {
    const r = await receiver();
    const created = await subscribe(base(), { url: r.url, after: 'start' });
    secrets = [created.secret];
    await post(aSuccessNotification());
    await waitFor(async () => compareWithFeed((await readToEnd(base())).items, r.delivered()).missing.length === 0, 'caught up');
    expect((await admin(base(), 'PATCH', `/v1/subscriptions/${created.id}`, { status: 'paused' })).body).toMatchObject({
      status: 'paused',
    });
    const before = r.requests;
    const whilePaused = aSuccessNotification();
    await post(whilePaused);
    // Paused: the event waits behind the cursor, and after a second of it nothing was sent.
    await waitFor(async () => {
      const view = await admin<{ lagEvents: number; lagSeconds: number }>(base(), 'GET', `/v1/subscriptions/${created.id}`);
      return view.body.lagEvents >= 1 && view.body.lagSeconds >= 1;
    }, 'the paused subscription to fall a second behind');
    expect(r.requests).toBe(before);
    await admin(base(), 'PATCH', `/v1/subscriptions/${created.id}`, { status: 'active' });
    await waitFor(() => r.delivered().some((d) => d.event.sessionId === whilePaused.session_id), 'delivered after resuming');

    const rotated = await admin<{ secret: string }>(base(), 'POST', `/v1/subscriptions/${created.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    secrets = [created.secret, rotated.body.secret];
    const afterRotation = aSuccessNotification();
    await post(afterRotation);
    await waitFor(
      async () =>
        r.delivered().some((d) => d.event.sessionId === afterRotation.session_id && d.event.type === 'session.results_ready') &&
        compareWithFeed((await readToEnd(base())).items, r.delivered()).missing.length === 0,
      'everything delivered after rotation, up to its results_ready',
    );
    expect(r.delivered().find((d) => d.event.sessionId === afterRotation.session_id)!.verifiedWith).toEqual([0, 1]);

    const count = r.delivered().length;
    const replay = await admin(base(), 'POST', `/v1/subscriptions/${created.id}/replay`, { after: 'start' });
    expect(replay.status).toBe(202);
    const feed = (await readToEnd(base())).items;
    await waitFor(() => r.delivered().length >= count + feed.length, 'everything delivered again');
    const again = r.delivered().slice(count);
    expect(compareWithFeed(feed, again)).toMatchObject({ missing: [], outOfOrder: [] });

    const audit = await admin<{ items: Array<{ action: string; subscriptionId: string }> }>(base(), 'GET', '/v1/audit?client=ops&limit=50');
    expect(
      audit.body.items
        .filter((i) => i.subscriptionId === created.id)
        .map((i) => i.action)
        .reverse(),
    ).toEqual([
      'subscription.created',
      'subscription.updated',
      'subscription.updated',
      'subscription.secret_rotated',
      'subscription.replayed',
    ]);
  });

  it('sends a ping on test, and lists attempts newest first', async () => {
    const r = await receiver();
    const created = await subscribe(base(), { url: r.url });
    secrets = [created.secret];
    const test = await admin<{ eventId: string }>(base(), 'POST', `/v1/subscriptions/${created.id}/test`);
    expect(test.status).toBe(202);
    await waitFor(() => r.delivered().some((d) => d.id === test.body.eventId), 'the ping');
    expect(r.delivered()[0].event).toEqual({ id: test.body.eventId, type: 'ping', occurredAt: expect.any(String) });
    await waitFor(async () => (await attempts(created)).length === 1, 'the ping recorded');
    expect(await attempts(created)).toEqual([
      { eventId: test.body.eventId, attemptedAt: expect.any(String), httpStatus: 204, durationMs: expect.any(Number), error: null },
    ]);
    expect((await admin(base(), 'GET', '/v1/subscriptions/nope/attempts')).status).toBe(404);
  });

  async function attempts(created: Created) {
    return (await admin<{ items: Array<Record<string, unknown>> }>(base(), 'GET', `/v1/subscriptions/${created.id}/attempts`)).body.items;
  }
});
