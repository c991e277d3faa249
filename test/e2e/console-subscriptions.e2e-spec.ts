import type { Page } from 'playwright-core';
import { openBrowser, seriousAxeViolations, TestBrowser, watchedPage, WatchedPage } from '../support/browser';
import { FakeSubscriptions, startAppWithSubscriptions } from '../support/console-app';
import { ConsoleClient, csrfTokenIn } from '../support/console-client';
import { aSuccessNotification, postNotification } from '../support/notifications';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const OPS = 'console-ops-token-0123456789';
const VIEWER = 'console-viewer-token-0123456789';

jest.setTimeout(60_000);

/**
 * The Subscriptions page and its actions against a push provider (the fake stands in for the
 * push module, bound as the module will bind it): each button calls the provider with the
 * signed-in client as the actor; a client without admin sees none and is refused anyway.
 */
describe('operator console: subscriptions', () => {
  let db: TestDatabase;
  let app: Awaited<ReturnType<typeof startAppWithSubscriptions>>;
  let browser: TestBrowser;
  const subscriptions = new FakeSubscriptions();
  const watched: WatchedPage[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startAppWithSubscriptions(db.url, { INTERNAL_API_CLIENTS: `ops:read+admin:${OPS},viewer:read:${VIEWER}` }, subscriptions);
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    await browser.context.clearCookies();
    subscriptions.items.splice(0, subscriptions.items.length, {
      id: 'sub-1',
      url: 'https://ehr.internal.example/hooks/suki',
      types: ['session.completed'],
      status: 'active',
      lagEvents: 3,
      lagSeconds: 12,
      failingSince: null,
      lastAttempt: { at: '2026-12-03T09:00:00.000Z', httpStatus: 200, error: null },
    });
    subscriptions.actions.splice(0);
  });
  afterEach(async () => {
    for (const page of watched.splice(0)) {
      await page.page.close();
      expect(page.requests.filter((url) => !url.startsWith(`${app.baseUrl}/`))).toEqual([]);
      expect(page.cspViolations).toEqual([]);
    }
  });

  async function signedInPage(token: string): Promise<Page> {
    const w = await watchedPage(browser.context);
    watched.push(w);
    await w.page.goto(`${app.baseUrl}/console/sign-in`);
    await w.page.getByLabel('API token').fill(token);
    await w.page.getByRole('button', { name: 'Sign in' }).click();
    await w.page.getByRole('heading', { name: 'Overview' }).waitFor();
    return w.page;
  }

  it('lists each subscription with its state and lag, on the overview too', async () => {
    const page = await signedInPage(OPS);
    await page.getByText('Subscription https://ehr.internal.example/hooks/suki active, lag 3 events / 12 s').waitFor();
    await page.getByRole('link', { name: 'Subscriptions' }).click();
    const row = page.getByRole('row').filter({ hasText: 'ehr.internal.example' });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/session\.completed\s+active\s+3 events, 12 s/);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('pauses, resumes, replays, rotates the secret and sends a test, each as the signed-in client', async () => {
    const page = await signedInPage(OPS);
    await page.goto(`${app.baseUrl}/console/subscriptions`);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText('Subscription sub-1 paused.').waitFor();
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByText('Subscription sub-1 resumed.').waitFor();
    await page.getByLabel('Replay after (cursor or start)').fill('start');
    await page.getByRole('button', { name: 'Replay' }).click();
    await page.getByText('replays everything after start').waitFor();
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByText(/New secret: whsec_/).waitFor();
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByText('A test event is on its way').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(subscriptions.actions).toEqual([
      { action: 'pause', id: 'sub-1', client: 'ops' },
      { action: 'resume', id: 'sub-1', client: 'ops' },
      { action: 'replay', id: 'sub-1', client: 'ops', after: 'start' },
      { action: 'rotate', id: 'sub-1', client: 'ops' },
      { action: 'test', id: 'sub-1', client: 'ops' },
    ]);
  });

  it("lists a session's push deliveries on its page", async () => {
    const notification = aSuccessNotification();
    expect((await postNotification(app.baseUrl, notification)).status).toBe(200);
    subscriptions.deliveries.splice(0, subscriptions.deliveries.length, {
      subscriptionId: 'sub-1',
      eventId: 'evt-42',
      attemptedAt: '2026-12-03T09:01:00.000Z',
      httpStatus: 503,
      error: 'HTTP 503 from the endpoint',
    });
    const page = await signedInPage(OPS);
    await page.goto(`${app.baseUrl}/console/sessions/${notification.session_id}`);
    const row = page.getByRole('row').filter({ hasText: 'evt-42' });
    expect(await row.innerText()).toMatch(/2026-12-03T09:01:00.000Z\s+sub-1\s+evt-42\s+503\s+HTTP 503 from the endpoint/);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('shows a read-only client no subscription button, and refuses its forged actions', async () => {
    const page = await signedInPage(VIEWER);
    await page.goto(`${app.baseUrl}/console/subscriptions`);
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    expect(await page.getByRole('button').allInnerTexts()).toEqual(['Sign out']);
    const viewer = new ConsoleClient(app.baseUrl);
    await viewer.signIn(VIEWER);
    const token = csrfTokenIn((await viewer.get('/console')).html);
    for (const action of ['pause', 'resume', 'replay', 'rotate-secret', 'test']) {
      expect((await viewer.post(`/console/subscriptions/sub-1/${action}`, { _csrf: token })).status).toBe(403);
    }
    expect(subscriptions.actions).toEqual([]);
  });
});
