import { randomUUID } from 'node:crypto';
import { bodyFor, FAKE_SUKI_TOKEN } from '../support/fake-suki-api';
import { aSuccessNotification, postNotification } from '../support/notifications';
import { useTestApp } from '../support/use-test-app';
import { ArtifactRow, artifactsOf, eventually, FAST_RETRIEVAL, settledArtifacts } from './retrieval.support';

/** Short, so that giving up can be watched; the default is a day. */
const HORIZON_MS = 1_500;
const CONCURRENCY = 4;

const paths = (sessionId: string, encounterId: string) => ({
  contents: `/api/v1/ambient/session/${sessionId}/content`,
  encounter_content: `/api/v1/ambient/encounter/${encounterId}/content`,
  structured_data: `/api/v1/ambient/session/${sessionId}/structured-data`,
  encounter_structured_data: `/api/v1/ambient/encounter/${encounterId}/structured-data`,
  transcripts: `/api/v1/ambient/session/${sessionId}/transcript`,
});

describe('retrieval of artifacts from Suki', () => {
  const {
    db,
    sut,
    suki: fake,
  } = useTestApp({
    suki: true,
    env: { ...FAST_RETRIEVAL, SUKI_FETCH_RETRY_HORIZON_MS: String(HORIZON_MS), SUKI_MAX_CONCURRENCY: String(CONCURRENCY) },
  });

  /** A new session: its ids and artifact paths, to script the fake before `post` sends its success. */
  function aSession(encounterId: string = randomUUID()) {
    const sessionId = randomUUID();
    return {
      sessionId,
      encounterId,
      paths: paths(sessionId, encounterId),
      post: async (generatedAt = Date.now()) => {
        const answer = await postNotification(sut().baseUrl, aSuccessNotification({ session_id: sessionId, encounter_id: encounterId }), {
          generatedAt,
        });
        expect(answer.status).toBe(200);
      },
    };
  }

  /** Posts a success for a new session (nothing scripted). */
  async function aSuccess(encounterId?: string, generatedAt?: number) {
    const session = aSession(encounterId);
    await session.post(generatedAt);
    return session;
  }

  const byKind = (rows: ArtifactRow[]) => Object.fromEntries(rows.map((row) => [row.kind, row]));

  it('fetches every configured artifact of a success with the token and stores what Suki answered', async () => {
    const { encounterId, paths } = await aSuccess();
    const rows = await settledArtifacts(db(), encounterId);

    expect(rows.map((row) => row.kind).sort()).toEqual(Object.keys(paths).sort());
    for (const row of rows) {
      const path = paths[row.kind as keyof typeof paths];
      expect(row).toMatchObject({ status: 'ready', attempts: 1, last_error: null, locked_until: null, next_attempt_at: null });
      expect(row.fetched_at).toBeInstanceOf(Date);
      expect(row.data).toEqual(bodyFor(path));
      const calls = fake().requestsTo(path);
      expect(calls).toHaveLength(1);
      expect(calls[0].method).toBe('GET');
      expect(calls[0].headers['sdp_suki_token']).toBe(FAKE_SUKI_TOKEN);
      expect(calls[0].headers['sdp_provider_id']).toBeUndefined();
    }
  });

  it('retries 5xx, 429, malformed, truncated and hung answers, then stores the result', async () => {
    const { encounterId, paths, post } = aSession();
    fake().script(paths.contents, { status: 503 }, { status: 500 }, {});
    fake().script(paths.transcripts, { status: 429 }, {});
    fake().script(paths.structured_data, { malformed: true }, {});
    fake().script(paths.encounter_content, { truncated: true }, {});
    fake().script(paths.encounter_structured_data, { hang: true }, {});
    await post();

    const rows = byKind(await settledArtifacts(db(), encounterId));

    expect(rows.contents).toMatchObject({ status: 'ready', attempts: 3, last_error: null });
    expect(rows.contents.data).toEqual(bodyFor(paths.contents));
    expect(rows.transcripts).toMatchObject({ status: 'ready', attempts: 2 });
    expect(rows.structured_data).toMatchObject({ status: 'ready', attempts: 2 });
    expect(rows.encounter_content).toMatchObject({ status: 'ready', attempts: 2 });
    expect(rows.encounter_structured_data).toMatchObject({ status: 'ready', attempts: 2 });
    expect(rows.encounter_structured_data.data).toEqual(bodyFor(paths.encounter_structured_data));
    expect(fake().requestsTo(paths.contents)).toHaveLength(3);
    expect(fake().requestsTo(paths.transcripts)).toHaveLength(2);
  });

  it('shows the failed attempt while it waits to retry', async () => {
    const { encounterId, paths, post } = aSession();
    fake().script(paths.contents, { status: 503 }, { latencyMs: 1500, status: 503 }, {});
    await post();
    const waiting = await eventually(
      () => artifactsOf(db(), encounterId),
      (rows) => byKind(rows).contents?.attempts === 2,
    );
    expect(byKind(waiting).contents).toMatchObject({ status: 'pending', last_error: 'HTTP 503: service_unavailable', attempts: 2 });
    expect(byKind(await settledArtifacts(db(), encounterId)).contents).toMatchObject({ status: 'ready', attempts: 3, last_error: null });
  });

  it('waits at least as long as Retry-After asks', async () => {
    const { encounterId, paths, post } = aSession();
    fake().script(paths.contents, { status: 429, headers: { 'retry-after': '1' } }, {});
    await post();
    const rows = byKind(await settledArtifacts(db(), encounterId));
    expect(rows.contents).toMatchObject({ status: 'ready', attempts: 2 });
    const [first, second] = fake().requestsTo(paths.contents);
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(950);
  });

  it('stores an answer carrying characters PostgreSQL cannot hold, with those replaced', async () => {
    const { encounterId, paths, post } = aSession();
    fake().script(paths.contents, { body: { summary: [{ title: 'A\u0000', content: 'x\uD800y' }] } });
    await post();
    const rows = byKind(await settledArtifacts(db(), encounterId));
    expect(rows.contents).toMatchObject({ status: 'ready', attempts: 1, data: { summary: [{ title: 'A\uFFFD', content: 'x\uFFFDy' }] } });
  });

  it("fails a 404 at once, recording the HTTP code and Suki's error id", async () => {
    const { encounterId, paths, post } = aSession();
    fake().script(paths.transcripts, { status: 404, body: { code: 404, message: 'session_not_found: no such session' } });
    await post();
    const rows = byKind(await settledArtifacts(db(), encounterId));
    expect(rows.transcripts).toMatchObject({ status: 'failed', attempts: 1, last_error: 'HTTP 404: session_not_found', data: null });
    expect(fake().requestsTo(paths.transcripts)).toHaveLength(1);
    expect(rows.contents.status).toBe('ready');
  });

  it('answers a 401 by trying again at once, then stores the result', async () => {
    const { encounterId, paths, post } = aSession();
    fake().script(paths.contents, { status: 401 }, {});
    await post();
    const rows = byKind(await settledArtifacts(db(), encounterId));
    expect(rows.contents).toMatchObject({ status: 'ready', attempts: 1 });
    const calls = fake().requestsTo(paths.contents);
    expect(calls).toHaveLength(2);
    expect(calls.map((call) => call.headers['sdp_suki_token'])).toEqual([FAKE_SUKI_TOKEN, FAKE_SUKI_TOKEN]);
  });

  it('retries a 401 that outlives the token refresh on the horizon, as a configuration problem', async () => {
    const { encounterId, paths, post } = aSession();
    fake().script(paths.contents, { status: 401 });
    await post();
    const rows = byKind(await settledArtifacts(db(), encounterId, 3 * HORIZON_MS + 5_000));
    expect(rows.contents).toMatchObject({ status: 'failed' });
    expect(rows.contents.attempts).toBeGreaterThan(1);
    expect(rows.contents.last_error).toMatch(/^HTTP 401: invalid_sdp_token \(gave up after \d+ attempts over \d+ s\)$/);
    // Each attempt renews the token once: two calls.
    expect(fake().requestsTo(paths.contents)).toHaveLength(2 * rows.contents.attempts);
    const metrics = await (await fetch(`${sut().baseUrl}/metrics`)).text();
    expect(Number(/^suki_auth_failures_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(rows.contents.attempts);
  });

  it('gives up once the horizon has passed since the first attempt, and keeps the last reason', async () => {
    const { encounterId, paths, post } = aSession();
    fake().script(paths.encounter_content, { status: 502 });
    await post();
    const rows = byKind(await settledArtifacts(db(), encounterId, 3 * HORIZON_MS + 5_000));
    expect(rows.encounter_content).toMatchObject({ status: 'failed' });
    expect(rows.encounter_content.last_error).toMatch(/^HTTP 502: bad_gateway \(gave up after \d+ attempts over \d+ s\)$/);
    const calls = fake().requestsTo(paths.encounter_content);
    expect(calls).toHaveLength(rows.encounter_content.attempts);
    expect(calls.length).toBeGreaterThan(2);
    // Not one attempt short of the horizon (a backoff step, up to 200 ms, earlier): the last one
    // began about when it passed. Measured at the fake, so each call's way there (longer for the
    // first on a loaded machine) blurs the figure by some tens of milliseconds.
    expect(calls[calls.length - 1].receivedAt - calls[0].receivedAt).toBeGreaterThanOrEqual(HORIZON_MS - 100);
  });

  it('refreshes encounter-level artifacts when a later success of the encounter arrives', async () => {
    fake().setMarker('first-marker');
    const first = await aSuccess(undefined, Date.now() - 1000);
    await settledArtifacts(db(), first.encounterId);
    fake().setMarker('second-marker');
    const second = await aSuccess(first.encounterId);

    const rows = await eventually(
      () => artifactsOf(db(), first.encounterId),
      (found) =>
        found.length === 8 && found.every((row) => row.status === 'ready' && (row.owner_id !== first.encounterId || row.generation === 2)),
    );
    const encounterLevel = rows.filter((row) => row.owner_id === first.encounterId);
    expect(encounterLevel).toHaveLength(2);
    for (const row of encounterLevel) {
      expect(row).toMatchObject({ status: 'ready', generation: 2, attempts: 1 });
      expect(row.data).toEqual(bodyFor(first.paths[row.kind as 'encounter_content'], 'second-marker'));
    }
    const firstSession = rows.find((row) => row.owner_id === first.sessionId && row.kind === 'contents')!;
    expect(firstSession.data).toEqual(bodyFor(first.paths.contents, 'first-marker'));
    const secondSession = rows.find((row) => row.owner_id === second.sessionId && row.kind === 'contents')!;
    expect(secondSession.data).toEqual(bodyFor(second.paths.contents, 'second-marker'));
    expect(fake().requestsTo(first.paths.encounter_content)).toHaveLength(2);
    fake().setMarker('');
  });

  it('lets a refresh requested during a fetch win over that older fetch', async () => {
    const first = aSession();
    fake().script(first.paths.encounter_content, { latencyMs: 700, body: { summary: 'stale' } }, {});
    await first.post(Date.now() - 1000);
    await eventually(
      () => fake().requestsTo(first.paths.encounter_content).length,
      (count) => count === 1,
    );
    await aSuccess(first.encounterId);

    // Wait until the slow, older fetch has answered too, then look.
    await eventually(
      () => fake().requestsTo(first.paths.encounter_content).length,
      (count) => count === 2,
    );
    await new Promise((resolve) => setTimeout(resolve, 900));
    const rows = await settledArtifacts(db(), first.encounterId);
    const row = rows.find((found) => found.kind === 'encounter_content')!;
    expect(row).toMatchObject({ status: 'ready', generation: 2, attempts: 1 });
    expect(row.data).toEqual(bodyFor(first.paths.encounter_content));
  });

  it(`never has more than SUKI_MAX_CONCURRENCY (${CONCURRENCY}) calls to Suki at once`, async () => {
    fake().script('*', { latencyMs: 100 });
    try {
      const successes = await Promise.all([aSuccess(), aSuccess(), aSuccess()]);
      for (const { encounterId } of successes) {
        expect((await settledArtifacts(db(), encounterId)).map((row) => row.status)).toEqual(Array(5).fill('ready'));
      }
      expect(fake().peakConcurrency).toBeLessThanOrEqual(CONCURRENCY);
      expect(fake().peakConcurrency).toBeGreaterThan(1);
    } finally {
      fake().script('*', {});
    }
  });
});

describe('retrieval wiring', () => {
  // Each test starts a service of its own, configured as the test needs.
  const { db, suki: fake, start } = useTestApp({ suki: true, app: false });

  it('starts fetching as soon as intake commits, without waiting for the next poll', async () => {
    const sut = await start({ ...FAST_RETRIEVAL, SUKI_API_BASE_URL: fake().baseUrl, RETRIEVAL_POLL_MS: '60000' });
    try {
      // Let the worker make its first (empty) claim and fall asleep for a minute.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const body = aSuccessNotification();
      const posted = Date.now();
      await postNotification(sut.baseUrl, body);
      const rows = await settledArtifacts(db(), body.encounter_id, 5_000);
      expect(rows.map((row) => row.status)).toEqual(Array(5).fill('ready'));
      expect(Date.now() - posted).toBeLessThan(5_000);
    } finally {
      await sut.close();
    }
  });

  it('fails the attempts with a clear reason, and calls nobody, when no token is configured', async () => {
    const before = fake().requests.length;
    const sut = await start({
      ...FAST_RETRIEVAL,
      SUKI_API_BASE_URL: fake().baseUrl,
      SUKI_API_TOKEN: '',
      SUKI_FETCH_MAX_ATTEMPTS: '2',
    });
    try {
      const body = aSuccessNotification({ session_id: randomUUID() });
      await postNotification(sut.baseUrl, body);
      const rows = await settledArtifacts(db(), body.encounter_id);
      for (const row of rows) {
        expect(row).toMatchObject({
          status: 'failed',
          attempts: 2,
          last_error: 'no Suki API token configured (SUKI_API_TOKEN) (gave up after 2 attempts)',
        });
      }
      expect(fake().requests.length).toBe(before);
    } finally {
      await sut.close();
    }
  });
});
