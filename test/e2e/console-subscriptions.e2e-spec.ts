import type { Page } from 'playwright-core';
import { openBrowser, seriousAxeViolations, TestBrowser, watchedPage, WatchedPage } from '../support/browser';
import { ConsoleClient, csrfTokenIn } from '../support/console-client';
import { aSuccessNotification } from '../support/notifications';
import { PushReceiver, startPushReceiver, waitFor } from '../support/push-receiver';
import { useTestApp } from '../support/use-test-app';
import { admin, Created, PUSH_ADMIN, subscribe } from './push.support';

const OPS = 'console-ops-token-0123456789';
const VIEWER = 'console-viewer-token-0123456789';

jest.setTimeout(60_000);

/**
 * The Subscriptions page and a session's push deliveries against the push module itself: a
 * subscription made through POST /v1/subscriptions is listed (never its secret, never its URL's
 * password), each button changes it as /v1 would and is audited with the signed-in client as
 * actor; a client without admin sees none and is refused anyway.
 */
describe('operator console: subscriptions', () => {
  const { db, sut, post } = useTestApp({
    env: { INTERNAL_API_CLIENTS: `ops:read+admin:${OPS},viewer:read:${VIEWER},push:read+admin:${PUSH_ADMIN}` },
    // The clients go before the service: Chromium keeps connections to it open, and a delivery
    // under way to the receiver is part of the service's shutdown. Closed after the service, in
    // a full CI run, the service's close twice outlasted the hook's 60 s.
    beforeTearDown: async () => {
      await browser?.close();
      await receiver?.close();
    },
  });
  let browser: TestBrowser;
  let receiver: PushReceiver;
  let secrets: string[] = [];
  const watched: WatchedPage[] = [];
  const base = () => sut().baseUrl;

  beforeAll(async () => {
    browser = await openBrowser();
    receiver = await startPushReceiver(() => secrets);
  });
  beforeEach(async () => {
    await browser.context.clearCookies();
  });
  afterEach(async () => {
    for (const page of watched.splice(0)) {
      await page.page.close();
      expect(page.requests.filter((url) => !url.startsWith(`${base()}/`))).toEqual([]);
      expect(page.cspViolations).toEqual([]);
    }
    const list = await admin<{ items: Array<{ id: string }> }>(base(), 'GET', '/v1/subscriptions?limit=200');
    for (const item of list.body.items) await admin(base(), 'DELETE', `/v1/subscriptions/${item.id}`);
    secrets = [];
  });

  async function signedInPage(token: string): Promise<Page> {
    const w = await watchedPage(browser.context);
    watched.push(w);
    await w.page.goto(`${base()}/console/sign-in`);
    await w.page.getByLabel('API token').fill(token);
    await w.page.getByRole('button', { name: 'Sign in' }).click();
    await w.page.getByRole('heading', { name: 'Overview' }).waitFor();
    return w.page;
  }

  /** A subscription to the receiver, with a password in its URL that must never be shown. */
  async function aSubscription(body: Record<string, unknown> = {}): Promise<Created> {
    const url = receiver.url.replace('://', '://hook:url-password-5e1f@');
    const created = await subscribe(base(), { url, types: ['session.completed'], ...body });
    secrets = [created.secret];
    return created;
  }

  const statusOf = async (id: string) => (await admin<{ status: string }>(base(), 'GET', `/v1/subscriptions/${id}`)).body.status;
  const auditOf = (id: string) =>
    db().query<{ client: string; action: string }>('SELECT client, action FROM access_audit WHERE subscription_id = $1 ORDER BY id', [id]);

  it('lists a subscription made through /v1 with its state and lag, on the overview too, without its secret or password', async () => {
    const created = await aSubscription();
    const shown = receiver.url.replace('://', '://hook:***@');
    const page = await signedInPage(OPS);
    await page.getByText(new RegExp(`Subscription ${shown.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\S* active, lag 0 events`)).waitFor();
    await page.getByRole('link', { name: 'Subscriptions' }).click();
    const row = page.getByRole('row').filter({ hasText: 'hook:***@localhost' });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/hook:\*\*\*@localhost:\d+\/hooks\s+session\.completed\s+active\s+0 events, 0 s/);
    const html = await page.content();
    expect(html).not.toContain('url-password-5e1f');
    expect(html).not.toContain(created.secret);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('pauses and resumes, replays, rotates the secret and sends a test, each audited as the signed-in client', async () => {
    const created = await aSubscription();
    const page = await signedInPage(OPS);
    await page.goto(`${base()}/console/subscriptions`);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText(`Subscription ${created.id} paused.`).waitFor();
    expect(await statusOf(created.id)).toBe('paused');
    expect(await page.getByRole('row').filter({ hasText: 'hook:***@localhost' }).innerText()).toMatch(/\spaused\s/);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByText(`Subscription ${created.id} resumed.`).waitFor();
    expect(await statusOf(created.id)).toBe('active');
    await page.getByLabel('Replay after (cursor or start)').fill('start');
    await page.getByRole('button', { name: 'Replay' }).click();
    await page.getByText('replays everything after start').waitFor();
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    const secret = (await page.locator('code.secret').innerText()).trim();
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(created.secret);
    secrets = [secret, created.secret];
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByText('A test event is on its way').waitFor();
    await waitFor(() => receiver.all().some((d) => d.event.type === 'ping'), 'the test ping');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await auditOf(created.id)).toEqual([
      { client: 'push', action: 'subscription.created' },
      { client: 'ops', action: 'subscription.updated' },
      { client: 'ops', action: 'subscription.updated' },
      { client: 'ops', action: 'subscription.replayed' },
      { client: 'ops', action: 'subscription.secret_rotated' },
    ]);
  });

  it("lists a session's push deliveries on its page, in the order they were attempted", async () => {
    const created = await aSubscription({ types: undefined, after: 'now' });
    const notification = aSuccessNotification();
    await post(notification);
    const ofSession = () => receiver.delivered().filter((d) => d.event.sessionId === notification.session_id);
    // Attempts are written in batches after they are made: wait until those made so far are.
    const recorded = async () =>
      Number(
        (await db().query<{ n: string }>('SELECT count(*) AS n FROM subscription_attempts WHERE subscription_id = $1', [created.id]))[0].n,
      );
    await waitFor(async () => ofSession().length > 0 && (await recorded()) >= ofSession().length, "the session's deliveries recorded");
    const delivered = ofSession().map((d) => d.id);
    const page = await signedInPage(OPS);
    await page.goto(`${base()}/console/sessions/${notification.session_id}`);
    const rows = page.getByRole('row').filter({ hasText: created.id });
    await rows.first().waitFor();
    const texts = await rows.allInnerTexts();
    expect(texts.length).toBeGreaterThanOrEqual(delivered.length);
    for (const id of delivered) expect(texts.some((text) => text.includes(id) && /\s204\s/.test(text))).toBe(true);
    const attempted = texts.map((text) => text.split(/\s+/)[0]);
    expect(attempted).toEqual([...attempted].sort());
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('shows a read-only client no subscription button, and refuses its forged actions', async () => {
    const created = await aSubscription();
    const page = await signedInPage(VIEWER);
    await page.goto(`${base()}/console/subscriptions`);
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    expect(await page.getByRole('button').allInnerTexts()).toEqual(['Sign out']);
    const viewer = new ConsoleClient(base());
    await viewer.signIn(VIEWER);
    const token = csrfTokenIn((await viewer.get('/console')).html);
    for (const action of ['pause', 'resume', 'replay', 'rotate-secret', 'test']) {
      expect((await viewer.post(`/console/subscriptions/${created.id}/${action}`, { _csrf: token })).status).toBe(403);
    }
    expect(await statusOf(created.id)).toBe('active');
    expect(await auditOf(created.id)).toEqual([{ client: 'push', action: 'subscription.created' }]);
  });
});
