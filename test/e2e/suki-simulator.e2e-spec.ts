import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sessionContent, sessionStructuredData, sessionTranscript } from '../../src/simulator/simulated-content';
import { FAKE_SUKI_TOKEN, startFakeSukiApi } from '../support/fake-suki-api';
import { REPO_ROOT, ServiceProcess, startServiceProcess, stopServiceProcess } from '../support/service-process';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { eventually } from './retrieval.support';

const run = promisify(execFile);

interface Artifact {
  kind: string;
  status: 'pending' | 'ready' | 'failed';
  attempts: number;
  lastError: string | null;
  fetchedAt: string | null;
  simulated: boolean;
  data: unknown;
}

/**
 * The "done when" for the first run: the compiled service with no Suki API configured
 * (outside production) uses its built-in simulator, and `npm run notify -- success` ends with
 * the simulator's note `ready` at /v1/sessions/{id}/artifacts/contents within 30 s; the faults
 * `--suki-fault` asks for are retried as a real Suki outage would be. Retrieval runs with its
 * defaults, except a short request timeout for the timeout fault.
 */
describe('a first run with no Suki API configured, against the built-in simulator', () => {
  let db: TestDatabase;
  let service: ServiceProcess;
  let apiToken: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    // The breaker off (a threshold no test reaches): these tests are about each resource's own
    // retries; every call of a fault test failing would otherwise open it, and the probes that
    // follow (1 s, 2 s … 30 s) are the breaker's tests' business (retrieval-outage.e2e-spec.ts).
    service = await startServiceProcess({ DATABASE_URL: db.url, SUKI_REQUEST_TIMEOUT_MS: '1000', SUKI_BREAKER_FAILURES: '10000' });
    const secrets = JSON.parse(readFileSync(join(service.dataDir, 'dev-secrets.json'), 'utf8')) as { internalApiToken: string };
    apiToken = secrets.internalApiToken;
  }, 90_000);

  afterAll(async () => {
    if (service) await stopServiceProcess(service).catch(() => undefined);
    if (service) rmSync(service.dataDir, { recursive: true, force: true });
    await db?.drop();
  });

  /** What `npm run notify -- <kind> --session <id> …` runs. */
  const notifyKind = (kind: string, sessionId: string, ...args: string[]) =>
    run(process.execPath, [join(REPO_ROOT, 'scripts/notify.js'), kind, '--session', sessionId, ...args, '--url', service.baseUrl], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: service.dataDir },
      cwd: service.dataDir,
    });
  const notify = (sessionId: string, ...args: string[]) => notifyKind('success', sessionId, ...args);

  const artifact = async (sessionId: string, kind: string): Promise<Artifact> => {
    const response = await fetch(`${service.baseUrl}/v1/sessions/${sessionId}/artifacts/${kind}`, {
      headers: { authorization: `Bearer ${apiToken}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Artifact;
  };
  const settled = (sessionId: string, kind: string, timeoutMs = 30_000) =>
    eventually(
      () => artifact(sessionId, kind),
      (a) => a.status !== 'pending',
      timeoutMs,
    );

  it('says at boot, in one line, that it uses the simulator and where', () => {
    const lines = service.logLines().filter((line) => String(line.msg).includes('Suki API simulator'));
    expect(lines).toHaveLength(1);
    expect(lines[0].msg).toMatch(/^no Suki API configured: using the built-in Suki API simulator at http:\/\/127\.0\.0\.1:\d+ /);
  });

  it('names the SIMULATOR in its startup line', () => {
    const ready = service.logLines().filter((line) => String(line.msg).startsWith('ready: '));
    expect(ready).toHaveLength(1);
    expect(ready[0].msg).toMatch(/ against the SUKI API SIMULATOR at http:\/\/127\.0\.0\.1:\d+: every note is made up/);
  });

  it('fetches the simulator note of `npm run notify -- success` within 30 s', async () => {
    const started = Date.now();
    const { stdout } = await notify('first-run-session');
    expect(stdout).toContain('200 OK {"outcome":"applied"}');
    expect(stdout).toContain(`${service.baseUrl}/v1/sessions/first-run-session/artifacts/contents`);

    const contents = await settled('first-run-session', 'contents');
    const elapsedMs = Date.now() - started;
    expect(contents).toMatchObject({ status: 'ready', attempts: 1, lastError: null });
    expect(contents.data).toEqual(sessionContent('first-run-session'));
    expect(elapsedMs).toBeLessThan(30_000);
    expect(await settled('first-run-session', 'structured_data')).toMatchObject({
      status: 'ready',
      data: sessionStructuredData('first-run-session'),
    });
    expect(await settled('first-run-session', 'transcripts')).toMatchObject({
      status: 'ready',
      data: sessionTranscript('first-run-session'),
    });
  });

  it('retries --suki-fault 503x3 and ends ready with the note on the fourth attempt', async () => {
    await notify('fault-503', '--suki-fault', '503x3');
    for (const kind of ['contents', 'structured_data', 'transcripts']) {
      expect(await settled('fault-503', kind)).toMatchObject({ kind, status: 'ready', attempts: 4, lastError: null });
    }
    expect((await artifact('fault-503', 'contents')).data).toEqual(sessionContent('fault-503'));
  });

  it('waits out the Retry-After of --suki-fault 429 before trying again', async () => {
    const sent = Date.now();
    await notify('fault-429', '--suki-fault', '429');
    const contents = await settled('fault-429', 'contents');
    expect(contents).toMatchObject({ status: 'ready', attempts: 2 });
    expect(Date.parse(contents.fetchedAt!) - sent).toBeGreaterThanOrEqual(1_000);
  });

  it('retries a call --suki-fault timeout leaves unanswered, after the request timeout', async () => {
    await notify('fault-timeout', '--suki-fault', 'timeout');
    expect(await settled('fault-timeout', 'contents')).toMatchObject({ status: 'ready', attempts: 2 });
  });

  it('plays --suki-latency and --suki-limit end to end: every resource ready, none sooner than the latency', async () => {
    // Whether calls are refused depends on the adaptive limit earlier tests left (the
    // simulator's own spec shows the 429s); here: a limited, slow Suki still gives every note.
    const sent = Date.now();
    await notify('played-back', '--suki-latency', '300', '--suki-limit', '1');
    const all = await Promise.all(['contents', 'structured_data', 'transcripts'].map((kind) => settled('played-back', kind)));
    expect(all.map((a) => [a.status, a.lastError])).toEqual([
      ['ready', null],
      ['ready', null],
      ['ready', null],
    ]);
    expect(Math.min(...all.map((a) => Date.parse(a.fetchedAt!) - sent))).toBeGreaterThanOrEqual(300);
  });

  it('refuses a --suki-latency or --suki-limit out of range before sending', async () => {
    const refused = (...args: string[]) =>
      notify('never-sent', ...args).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
    expect(await refused('--suki-latency', '10001')).toMatchObject({ code: 2, stderr: expect.stringContaining('--suki-latency must be') });
    expect(await refused('--suki-limit', '0')).toMatchObject({ code: 2, stderr: expect.stringContaining('--suki-limit must be') });
  });

  it('fails for good, with its reason, on --suki-fault 404', async () => {
    await notify('fault-404', '--suki-fault', '404');
    expect(await settled('fault-404', 'contents')).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'HTTP 404: not_found',
      data: null,
    });
  });

  it('does not invent an outcome for a timed-out session: its status check answers 404 and the session stays timed_out', async () => {
    await notifyKind('timeout', 'timed-out-session');
    expect(await settled('timed-out-session', 'status')).toMatchObject({ status: 'failed', attempts: 1, lastError: 'HTTP 404: not_found' });
    const session = (await (
      await fetch(`${service.baseUrl}/v1/sessions/timed-out-session`, { headers: { authorization: `Bearer ${apiToken}` } })
    ).json()) as { status: string };
    expect(session.status).toBe('timed_out');
  });

  it('marks everything fetched from it simulated, in every view and after a restart against a real Suki API', async () => {
    const get = async <T>(path: string, token = apiToken) =>
      (await (await fetch(`${service.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;
    await notify('made-up-note', '--encounter', 'made-up-visit');
    for (const kind of ['contents', 'structured_data', 'transcripts']) {
      expect(await settled('made-up-note', kind)).toMatchObject({ status: 'ready', simulated: true });
    }
    const session = await get<{ artifacts: Artifact[] }>('/v1/sessions/made-up-note');
    expect(session.artifacts.map((a) => [a.kind, a.simulated])).toEqual([
      ['contents', true],
      ['structured_data', true],
      ['transcripts', true],
    ]);
    await eventually(
      () => get<{ artifacts: Artifact[] }>('/v1/encounters/made-up-visit'),
      (encounter) => encounter.artifacts.length === 2 && encounter.artifacts.every((a) => a.status !== 'pending'),
    );
    const encounter = await get<{ artifacts: Artifact[] }>('/v1/encounters/made-up-visit');
    expect(encounter.artifacts.map((a) => [a.kind, a.status, a.simulated])).toEqual([
      ['encounter_content', 'ready', true],
      ['encounter_structured_data', 'ready', true],
    ]);
    expect(await get<Artifact>('/v1/encounters/made-up-visit/artifacts/encounter_content')).toMatchObject({ simulated: true });

    // The same database served by a service pointed at a real Suki API: the mark stays with
    // what the simulator made up, and what the real one serves is not marked.
    await stopServiceProcess(service);
    const suki = await startFakeSukiApi();
    try {
      // The same DATA_DIR, so the same development secrets (the launcher's own fresh directory stays unused).
      const dataDir = service.dataDir;
      const restarted = await startServiceProcess({
        DATABASE_URL: db.url,
        DATA_DIR: dataDir,
        SUKI_API_BASE_URL: suki.baseUrl,
        SUKI_API_TOKEN: FAKE_SUKI_TOKEN,
      });
      rmSync(restarted.dataDir, { recursive: true, force: true });
      service = { ...restarted, dataDir };
      expect(service.logLines().filter((line) => String(line.msg).includes('SIMULATOR'))).toEqual([]);
      expect(await artifact('made-up-note', 'contents')).toMatchObject({
        status: 'ready',
        simulated: true,
        data: sessionContent('made-up-note'),
      });
      await notify('real-note');
      expect(await settled('real-note', 'contents')).toMatchObject({ status: 'ready', simulated: false });
    } finally {
      await suki.close();
    }
  });
});
