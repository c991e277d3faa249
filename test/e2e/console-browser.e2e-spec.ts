import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { openBrowser, screenshotForDocs, seriousAxeViolations, TestBrowser, watchedPage, WatchedPage } from '../support/browser';
import { aSuccessNotification, postNotification } from '../support/notifications';
import { useTestApp } from '../support/use-test-app';
import { eventually, FAST_RETRIEVAL, settledArtifacts } from './retrieval.support';

const OPS = 'console-ops-token-0123456789';
const VIEWER = 'console-viewer-token-0123456789';
// The fake Suki puts this into every note: the screenshots show invented content, and say so.
const MARKER = '[SIMULATED NOTE - invented test content, no real patient]';

jest.setTimeout(60_000);

/**
 * The operator console in Chromium, as a person uses it: sign in, find a session, read its
 * story, reveal its note (and find that in the audit), retry dead letters, and what a read-only
 * client sees. On every page: axe finds no serious or critical violation, the CSP reports no
 * violation, and no request leaves the service's origin.
 */
describe('operator console (Chromium)', () => {
  const { db, suki, sut } = useTestApp({
    suki: { marker: MARKER },
    env: { ...FAST_RETRIEVAL, INTERNAL_API_CLIENTS: `ops:read+content+register+admin:${OPS},viewer:read:${VIEWER}` },
    // The browser goes before the service: Chromium keeps connections to it open.
    beforeTearDown: () => browser?.close(),
  });
  let browser: TestBrowser;
  const opened: WatchedPage[] = [];

  beforeAll(async () => {
    browser = await openBrowser();
  });
  beforeEach(async () => {
    await browser.context.clearCookies();
  });
  afterEach(async () => {
    // Every page the test opened stayed on the console's origin and within its CSP. Closed, so
    // that no overview keeps polling the app while it shuts down.
    for (const watched of opened.splice(0)) {
      await watched.page.close();
      expect(watched.requests.filter((url) => !url.startsWith(`${sut().baseUrl}/`))).toEqual([]);
      expect(watched.cspViolations).toEqual([]);
    }
  });

  const open = async () => {
    const watched = await watchedPage(browser.context);
    opened.push(watched);
    return watched.page;
  };
  const expectAccessible = async (page: Page) => expect(await seriousAxeViolations(page)).toEqual([]);
  const failedCount = async () =>
    Number((await db().query<{ n: string }>("SELECT count(*) AS n FROM artifacts WHERE status = 'failed'"))[0].n);

  async function signIn(page: Page, token: string) {
    await page.goto(`${sut().baseUrl}/console`);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
  }

  /** A completed session whose transcript Suki refuses: its note is ready, its transcript a dead letter. */
  async function aSessionWithADeadLetter() {
    const sessionId = `sim-${randomUUID()}`;
    const encounterId = `sim-enc-${randomUUID()}`;
    suki().script(`/api/v1/ambient/session/${sessionId}/transcript`, { status: 404 });
    await postNotification(sut().baseUrl, aSuccessNotification({ session_id: sessionId, encounter_id: encounterId }));
    await settledArtifacts(db(), encounterId);
    return { sessionId, encounterId };
  }

  it('refuses a wrong token with an alert, and signs a right one in', async () => {
    const page = await open();
    await page.goto(`${sut().baseUrl}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    await expectAccessible(page);
    await page.getByLabel('API token').fill('not-a-token-of-any-client');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/not accepted/);
    await expectAccessible(page);
    await page.getByLabel('API token').fill(OPS);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    for (const name of ['Overview', 'Dead letters', 'Subscriptions']) await page.getByRole('link', { name, exact: true }).waitFor();
  });

  it('finds a session, tells its story, reveals its note on request, and the audit shows who read it', async () => {
    const { sessionId } = await aSessionWithADeadLetter();
    const page = await open();
    await signIn(page, OPS);
    await page.getByText(`Failed artifacts ${await failedCount()}`, { exact: true }).waitFor();
    // The overview refreshes itself (htmx), without a reload.
    await page.waitForRequest((request) => request.url().endsWith('/console/overview/figures'), { timeout: 15_000 });
    await expectAccessible(page);
    await screenshotForDocs(page, 'console-overview');

    await page.getByLabel('Find session or encounter').fill(sessionId);
    await page.getByLabel('Find session or encounter').press('Enter');
    await page.getByRole('heading', { name: `Session ${sessionId}` }).waitFor();
    expect(page.url()).not.toContain('note');
    const story = await page.locator('main').innerText();
    expect(story).toMatch(/Outcome learned\s+notification/);
    expect(story).toMatch(/success\s+applied/);
    expect(story).toMatch(/transcripts\s+session\s+failed\s+1\s+HTTP 404/);
    expect(story).toMatch(/session\.completed/);
    expect(story).not.toContain(MARKER);
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Show note' }).click();
    await page.getByText(MARKER, { exact: false }).first().waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console/sessions/${sessionId}`);
    await expectAccessible(page);
    await screenshotForDocs(page, 'console-session');

    const audit = await fetch(`${sut().baseUrl}/v1/audit?sessionId=${sessionId}&action=artifact.read`, {
      headers: { authorization: `Bearer ${OPS}` },
    });
    const { items } = (await audit.json()) as { items: Array<{ client: string; kind: string }> };
    expect(items.map(({ client, kind }) => ({ client, kind }))).toEqual([{ client: 'ops', kind: 'contents' }]);
  });

  it('retries dead letters after saying how many, once confirmed', async () => {
    const { sessionId } = await aSessionWithADeadLetter();
    const page = await open();
    await signIn(page, OPS);
    await page.getByRole('link', { name: 'Dead letters' }).click();
    await page.getByRole('heading', { name: 'Dead letters' }).waitFor();
    await expectAccessible(page);
    await page.getByLabel('Session id').fill(sessionId);
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByText('This will retry 1 failed artifact.').waitFor();
    await expectAccessible(page);
    // Suki serves the transcript now: the retry brings it in.
    suki().script(`/api/v1/ambient/session/${sessionId}/transcript`, {});
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('Retried 1 failed artifact', { exact: false }).waitFor();
    await expectAccessible(page);
    const rows = await eventually(
      () => db().query<{ status: string }>("SELECT status FROM artifacts WHERE session_id = $1 AND kind = 'transcripts'", [sessionId]),
      (found) => found[0]?.status === 'ready',
    );
    expect(rows).toEqual([{ status: 'ready' }]);
  });

  it('enforces its CSP in the browser: an inline script does not run (which is why axe is not injected as one)', async () => {
    const watched = await watchedPage(browser.context);
    await watched.page.goto(`${sut().baseUrl}/console/sign-in`);
    await watched.page.addScriptTag({ content: 'window.inlineRan = true' }).catch(() => undefined);
    expect(await watched.page.evaluate('window.inlineRan')).toBeUndefined();
    await eventually(
      () => watched.cspViolations.length,
      (n) => n > 0,
    );
    expect(watched.cspViolations.join('\n')).toMatch(/script-src 'self'/);
    await watched.page.close();
  });

  it('says so when there is no subscription', async () => {
    const page = await open();
    await signIn(page, OPS);
    await page.getByRole('link', { name: 'Subscriptions' }).click();
    await page.getByText('No subscriptions.').waitFor();
    await expectAccessible(page);
    expect(await page.getByRole('button').allInnerTexts()).toEqual(['Sign out']);
  });

  it('gives a read-only client no button it cannot use', async () => {
    const { sessionId } = await aSessionWithADeadLetter();
    const page = await open();
    await signIn(page, VIEWER);
    await expectAccessible(page);
    await page.goto(`${sut().baseUrl}/console/sessions/${sessionId}`);
    await page.getByRole('heading', { name: `Session ${sessionId}` }).waitFor();
    expect(await page.getByRole('button').allInnerTexts()).toEqual(['Sign out']);
    await expectAccessible(page);
    for (const link of ['Dead letters', 'Subscriptions']) {
      await page.getByRole('link', { name: link }).click();
      await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
      expect(await page.getByRole('button').allInnerTexts()).toEqual(['Sign out']);
      await expectAccessible(page);
    }
  });

  describe('forged posts', () => {
    let attacker: Server;
    let attackerUrl: string;

    beforeAll(async () => {
      // Another origin (another port) with a page that posts a retry form to the console at once.
      attacker = createServer((request, response) => {
        const target = `${sut().baseUrl}/console/dead-letters/retry`;
        response.setHeader('content-type', 'text/html');
        response.end(
          `<!doctype html><form id="f" method="post" action="${target}"><input name="_csrf" value="guessed.token"></form>` +
            `<script>document.getElementById('f').submit()</script>`,
        );
      });
      await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
      attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
    });
    afterAll(async () => {
      // Chromium keeps its connection to the page's server open; close it rather than wait it out.
      const closed = new Promise<void>((resolve) => attacker.close(() => resolve()));
      attacker.closeAllConnections();
      await closed;
    });

    it('refuses a post from another origin and one without the CSRF token (403), and nothing changes', async () => {
      await aSessionWithADeadLetter();
      const before = await failedCount();
      const retries = async () => (await db().query("SELECT 1 FROM access_audit WHERE action = 'artifacts.retry'")).length;
      const retriesBefore = await retries();
      const page = await open();
      await signIn(page, OPS);

      const forged = await browser.context.newPage();
      const answer = forged.waitForResponse((response) => response.url().endsWith('/console/dead-letters/retry'));
      await forged.goto(attackerUrl);
      expect((await answer).status()).toBe(403);
      await forged.close();

      const withoutToken = await page.evaluate(async () => {
        const response = await fetch('/console/dead-letters/retry', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'kind=transcripts',
        });
        return response.status;
      });
      expect(withoutToken).toBe(403);
      expect(await failedCount()).toBe(before);
      expect(await retries()).toBe(retriesBefore);
    });
  });

  it('works without JavaScript: sign in, find with Enter, show the note', async () => {
    const { sessionId } = await aSessionWithADeadLetter();
    const noScript = await openBrowser({ javaScriptEnabled: false });
    try {
      const watched = await watchedPage(noScript.context);
      opened.push(watched);
      const page = watched.page;
      await signIn(page, OPS);
      await page.getByLabel('Find session or encounter').fill(sessionId);
      await page.getByLabel('Find session or encounter').press('Enter');
      await page.getByRole('heading', { name: `Session ${sessionId}` }).waitFor();
      await page.getByRole('button', { name: 'Show note' }).click();
      await page.getByText(MARKER, { exact: false }).first().waitFor();
    } finally {
      await noScript.close();
    }
  });
});
