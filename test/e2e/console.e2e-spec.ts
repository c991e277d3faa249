import { randomUUID } from 'node:crypto';
import { aSuccessNotification, postNotification } from '../support/notifications';
import { ConsoleClient, csrfTokenIn } from '../support/console-client';
import { useTestApp } from '../support/use-test-app';
import { eventually, FAST_RETRIEVAL, settledArtifacts } from './retrieval.support';

const OPS = 'console-ops-token-0123456789';
const VIEWER = 'console-viewer-token-0123456789';
const MARKER = 'SIMULATED-NOTE-MARKER';

/**
 * The operator console over plain HTTP: headers, sign-in, scopes, forged and cross-origin posts,
 * escaping, the audit of a revealed note. What a person does in a browser is in
 * console-browser.e2e-spec.ts; this file checks what a browser would hide.
 */
describe('operator console (HTTP)', () => {
  const { db, suki, sut } = useTestApp({
    suki: { marker: MARKER },
    env: { ...FAST_RETRIEVAL, INTERNAL_API_CLIENTS: `ops:read+content+register+admin:${OPS},viewer:read:${VIEWER}` },
  });

  const client = () => new ConsoleClient(sut().baseUrl);
  const signedIn = async (token: string) => {
    const c = client();
    expect((await c.signIn(token)).status).toBe(200);
    return c;
  };
  const failedCount = async () =>
    Number((await db().query<{ n: string }>("SELECT count(*) AS n FROM artifacts WHERE status = 'failed'"))[0].n);

  /** A completed session whose transcript Suki refuses (404): one dead letter, and a note that is ready. */
  async function aSessionWithADeadLetter(sessionId = randomUUID()) {
    const encounterId = randomUUID();
    suki().script(`/api/v1/ambient/session/${sessionId}/transcript`, { status: 404 });
    await postNotification(sut().baseUrl, aSuccessNotification({ session_id: sessionId, encounter_id: encounterId }));
    await settledArtifacts(db(), encounterId);
    return { sessionId, encounterId };
  }

  it('serves every page no-store under a CSP without inline script or style, and sends strangers to sign in', async () => {
    const c = client();
    const overview = await fetch(`${sut().baseUrl}/console`, { redirect: 'manual' });
    expect(overview.status).toBe(303);
    expect(overview.headers.get('location')).toBe('/console/sign-in');
    const page = await c.get('/console/sign-in');
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.html).toMatch(/<label for="token">API token<\/label>/);
    expect(page.html).not.toMatch(/<script>|<script [^>]*>[^<]|style="/);
    const asset = await c.get('/console/assets/htmx.min.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
  });

  it('refuses an unknown token with an alert, and signs a known one in with an HttpOnly, SameSite=Strict cookie that is not the token', async () => {
    const refused = await client().signIn('not-a-token-of-any-client');
    expect(refused.status).toBe(401);
    expect(refused.html).toMatch(/role="alert"[^>]*>[^<]*not accepted/);

    const c = client();
    await c.get('/console/sign-in');
    const signIn = await fetch(`${sut().baseUrl}/console/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: c.cookieHeader, origin: sut().baseUrl },
      body: new URLSearchParams({ token: OPS, _csrf: csrfTokenIn((await c.get('/console/sign-in')).html) }).toString(),
    });
    expect(signIn.status).toBe(303);
    const session = signIn.headers.getSetCookie().find((line) => line.startsWith('console_session='));
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Strict/i);
    expect(session).toMatch(/Path=\/console/);
    expect(session).not.toMatch(/Secure/i); // NODE_ENV is not production here
    expect(session).not.toContain(OPS);
    expect(Buffer.from(session!.split('=')[1].split('.')[0], 'base64url').toString()).not.toContain(OPS);
  });

  it('shows the overview figures on labelled lines', async () => {
    await aSessionWithADeadLetter();
    const overview = await (await signedIn(OPS)).get('/console');
    expect(overview.status).toBe(200);
    const text = overview.html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');
    expect(text).toMatch(/Failed artifacts \d+/);
    expect(text).toContain(`Failed artifacts ${await failedCount()}`);
    expect(text).toMatch(/Notifications received in the last hour [1-9]\d*/);
    expect(text).toMatch(/Spool records 0/);
    expect(text).toMatch(/Suki breaker (closed|half-open|open)/);
    expect(text).toMatch(/Unresolved reconciliations 0/);
    expect(text).toMatch(/Feed lag /);
    // The note of that session became ready within the hour: time to note is measured.
    expect(text).toMatch(/Time to note p50 \d+\.\d s, p95 \d+\.\d s over [1-9]\d* notes? \(last hour\)/);
    expect(text).toContain('Push subscriptions No subscriptions.');
  });

  it('escapes what it shows: an id with markup in it is text, not markup', async () => {
    const sessionId = `<script>alert("x")</script><img src=x onerror=alert(1)>${randomUUID().slice(0, 8)}`;
    await postNotification(sut().baseUrl, aSuccessNotification({ session_id: sessionId }));
    const c = await signedIn(OPS);
    const page = await c.get(`/console/sessions/${encodeURIComponent(sessionId)}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(page.html).not.toContain('<script>alert');
    expect(page.html).not.toContain('<img src=x');
  });

  it('shows no note until "Show note", which is audited as a /v1 read is, before the page goes out', async () => {
    const { sessionId, encounterId } = await aSessionWithADeadLetter();
    const c = await signedIn(OPS);
    const page = await c.get(`/console/sessions/${sessionId}`);
    expect(page.html).not.toContain(MARKER);
    expect(page.html).toContain('>Show note</button>');
    const shown = await c.post(`/console/sessions/${sessionId}/note`, { _csrf: csrfTokenIn(page.html) });
    expect(shown.status).toBe(200);
    expect(shown.html).toContain(MARKER);
    const audit = await db().query(
      'SELECT client, action, session_id, encounter_id, kind FROM access_audit WHERE session_id = $1 AND action = $2',
      [sessionId, 'artifact.read'],
    );
    expect(audit).toEqual([{ client: 'ops', action: 'artifact.read', session_id: sessionId, encounter_id: encounterId, kind: 'contents' }]);
  });

  it('refuses posts without the CSRF token, from another origin or another site (403), and changes nothing', async () => {
    await aSessionWithADeadLetter();
    const before = await failedCount();
    const c = await signedIn(OPS);
    const token = csrfTokenIn((await c.get('/console/dead-letters')).html);
    const attempts = [
      await c.post('/console/dead-letters/retry', {}),
      await c.post('/console/dead-letters/retry', { _csrf: 'forged.value' }),
      await c.post('/console/dead-letters/retry', { _csrf: token }, { origin: 'https://evil.example' }),
      await c.post('/console/dead-letters/retry', { _csrf: token }, { origin: sut().baseUrl, 'sec-fetch-site': 'cross-site' }),
      await c.post('/console/dead-letters/retry', { _csrf: token }, { origin: 'null' }),
    ];
    expect(attempts.map((a) => a.status)).toEqual([403, 403, 403, 403, 403]);
    expect(await failedCount()).toBe(before);
    expect(await db().query("SELECT 1 FROM access_audit WHERE action = 'artifacts.retry'")).toEqual([]);
    // The same form, from the console itself, goes through.
    // (The retried artifacts fail again at once, Suki still refusing them: the audit shows the retry.)
    expect((await c.post('/console/dead-letters/retry', { _csrf: token })).status).toBe(200);
    expect(await db().query("SELECT client FROM access_audit WHERE action = 'artifacts.retry'")).toHaveLength(before);
  });

  it('retries after saying how many it will retry, audited under the signed-in client', async () => {
    const { sessionId } = await aSessionWithADeadLetter();
    await aSessionWithADeadLetter();
    const c = await signedIn(OPS);
    const preview = await c.get(`/console/dead-letters/retry?sessionId=${sessionId}&kind=&encounterId=`);
    expect(preview.html).toMatch(/This will retry <strong>1<\/strong> failed artifact\./);
    const done = await c.post('/console/dead-letters/retry', { _csrf: csrfTokenIn(preview.html), sessionId });
    expect(done.html).toMatch(/Retried <strong>1<\/strong> failed artifact/);
    const audit = await db().query<{ client: string }>(
      "SELECT client FROM access_audit WHERE action = 'artifacts.retry' AND session_id = $1",
      [sessionId],
    );
    expect(audit.map((row) => row.client)).toEqual(['ops']);
    await eventually(
      () => db().query<{ status: string }>("SELECT status FROM artifacts WHERE session_id = $1 AND kind = 'transcripts'", [sessionId]),
      (rows) => rows[0]?.status !== 'pending',
    );
  });

  it('gives a read-only client no button it cannot use, and refuses its forged actions', async () => {
    const { sessionId } = await aSessionWithADeadLetter();
    const before = await failedCount();
    const c = await signedIn(VIEWER);
    const session = await c.get(`/console/sessions/${sessionId}`);
    expect(session.status).toBe(200);
    const buttons = [...session.html.matchAll(/<button[^>]*>([^<]*)<\/button>/g)].map((m) => m[1]);
    expect(buttons).toEqual(['Sign out']);
    const token = csrfTokenIn(session.html);
    expect((await c.get('/console/dead-letters')).status).toBe(403);
    expect((await c.get('/console/subscriptions')).status).toBe(403);
    expect((await c.post(`/console/sessions/${sessionId}/note`, { _csrf: token })).status).toBe(403);
    expect((await c.post('/console/dead-letters/retry', { _csrf: token })).status).toBe(403);
    expect((await c.post('/console/subscriptions/any/pause', { _csrf: token })).status).toBe(403);
    expect(await failedCount()).toBe(before);
    expect(await db().query("SELECT 1 FROM access_audit WHERE client = 'viewer' AND action <> 'console.sign_in'")).toEqual([]);
  });

  it('answers an action on an unknown subscription 404 as /v1 does, and audits nothing', async () => {
    const c = await signedIn(OPS);
    const page = await c.get('/console/subscriptions');
    expect(page.html).toContain('No subscriptions.');
    const refused = await c.post('/console/subscriptions/no-such-subscription/pause', { _csrf: csrfTokenIn(page.html) });
    expect(refused.status).toBe(404);
    expect(refused.html).toMatch(/role="alert"[^>]*>no such subscription/);
    expect(await db().query("SELECT 1 FROM access_audit WHERE action LIKE 'subscription.%'")).toEqual([]);
  });

  it('signs out for good: the old cookie no longer opens a page', async () => {
    const c = await signedIn(OPS);
    const stolen = c.cookieHeader;
    expect((await c.submit('/console', '/console/sign-out')).status).toBe(200);
    expect(c.cookie('console_session')).toBeUndefined();
    const replay = await fetch(`${sut().baseUrl}/console`, { headers: { cookie: stolen }, redirect: 'manual' });
    expect(replay.status).toBe(303);
    const audit = await db().query<{ action: string }>(
      "SELECT action FROM access_audit WHERE client = 'ops' AND action LIKE 'console.%' ORDER BY id",
    );
    expect(audit.map((row) => row.action)).toContain('console.sign_out');
  });

  it('adds nothing of its own to the webhook or /v1 answers', async () => {
    // Unsigned: refused by the signature check, before any body is read; whatever middleware ran shows in the headers.
    const answer = await fetch(`${sut().baseUrl}/webhooks/notification`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'console_session=x; console_csrf=y' },
      body: '{}',
    });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('content-security-policy')).toBeNull();
    expect(answer.headers.get('set-cookie')).toBeNull();
    const v1 = await fetch(`${sut().baseUrl}/v1/sessions?limit=1`, {
      headers: { authorization: `Bearer ${OPS}`, cookie: 'console_session=x' },
    });
    expect(v1.status).toBe(200);
    expect(v1.headers.get('content-security-policy')).toBeNull();
  });
});
