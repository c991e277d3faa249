import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import type { DevSecrets } from '../../src/config/dev-secrets';
import { sessionContent } from '../../src/simulator/simulated-content';
import { REPO_ROOT, ServiceProcess, startServiceProcess, stopServiceProcess } from '../support/service-process';
import { eventually } from './retrieval.support';

const run = promisify(execFile);

/**
 * The "done when", end to end: the compiled service started with nothing configured
 * (embedded PostgreSQL, generated secrets, the built-in Suki API simulator), `npm run notify`
 * answered 200, the success's note fetched, the notification on /metrics, and SIGTERM ending the process with 0 and the embedded database stopped.
 */
describe('a fresh start with nothing configured, driven by the notify script', () => {
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await startServiceProcess({});
  }, 90_000);

  afterAll(async () => {
    if (service?.child.exitCode === null) await stopServiceProcess(service).catch(() => undefined);
    if (service) rmSync(service.dataDir, { recursive: true, force: true });
  });

  const notify = (...args: string[]) =>
    run(process.execPath, [join(REPO_ROOT, 'scripts/notify.js'), ...args, '--url', service.baseUrl], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: service.dataDir },
      cwd: service.dataDir,
    });

  it('signs a success with the generated development secret and gets a 200', async () => {
    const { stdout } = await notify('success', '--session', 'notify-session-1', '--encounter', 'notify-encounter-1');
    expect(stdout).toContain('200 OK {"outcome":"applied"}');
    expect(stdout).toContain('session notify-session-1');
  });

  it('sends failure, timeout and cancelled notifications that the service maps', async () => {
    for (const kind of ['failure', 'timeout', 'cancelled']) {
      const { stdout } = await notify(kind, '--session', `notify-${kind}`, '--encounter', 'notify-encounter-2');
      expect(stdout).toContain('200 OK {"outcome":"applied"}');
    }
    const rows = await withDatabase(service, (db) =>
      db.query("SELECT id, status, error_code FROM sessions WHERE encounter_id = 'notify-encounter-2' ORDER BY id"),
    );
    expect(rows).toEqual([
      { id: 'notify-cancelled', status: 'cancelled', error_code: null },
      { id: 'notify-failure', status: 'failed', error_code: 'ERROR_CODE_TRANSCRIPTION' },
      { id: 'notify-timeout', status: 'timed_out', error_code: null },
    ]);
  });

  it('built a success carrying all six link kinds', async () => {
    const [row] = await withDatabase(service, (db) =>
      db.query<{ links: Record<string, unknown> }>("SELECT links FROM sessions WHERE id = 'notify-session-1'"),
    );
    expect(Object.keys(row.links).sort()).toEqual([
      'contents',
      'encounter_content',
      'encounter_structured_data',
      'status',
      'structured_data',
      'transcripts',
    ]);
  });

  it('shows the notifications on /metrics', async () => {
    const text = await (await fetch(`${service.baseUrl}/metrics`)).text();
    expect(text).toContain('suki_notifications_total{vendor_status="success",outcome="applied"} 1');
    expect(text).toContain('suki_notifications_total{vendor_status="failure",outcome="applied"} 1');
    expect(text).toMatch(/^http_request_duration_seconds_count\{method="POST",route="\/webhooks\/notification",status_code="200"\} 4$/m);
  });

  it('refuses an unknown notification kind with a usage message', async () => {
    await expect(notify('bogus')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('usage: npm run notify') });
  });

  it('fetches the note of the success from the built-in Suki API simulator', async () => {
    const { internalApiToken } = JSON.parse(readFileSync(join(service.dataDir, 'dev-secrets.json'), 'utf8')) as {
      internalApiToken: string;
    };
    const read = async () =>
      (await fetch(`${service.baseUrl}/v1/sessions/notify-session-1/artifacts/contents`, {
        headers: { authorization: `Bearer ${internalApiToken}` },
      }).then((response) => response.json())) as { status: string; data: unknown };
    const contents = await eventually(read, (artifact) => artifact.status !== 'pending', 30_000);
    expect(contents).toMatchObject({ status: 'ready', data: sessionContent('notify-session-1') });
  });

  it('prints its usage and exits 0 on --help', async () => {
    const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'scripts/notify.js'), '--help']);
    expect(stdout).toMatch(/^usage: npm run notify -- <success\|failure\|timeout\|cancelled>/);
    expect(stdout).toContain('--suki-fault');
  });

  it('refuses a malformed --suki-fault, and one on a notification that links nothing', async () => {
    const failure = async (...args: string[]) =>
      (await notify(...args).then(
        () => ({ code: 0, stderr: '' }),
        (error: unknown) => error,
      )) as { code: number; stderr: string };
    const malformed = await failure('success', '--suki-fault', '503x0');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('--suki-fault must be');
    const misplaced = await failure('failure', '--suki-fault', '503');
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain('--suki-fault applies to success notifications');
  });

  it('names the URL it tried when nothing listens there', async () => {
    const closed = await freePort();
    const attempt = run(process.execPath, [join(REPO_ROOT, 'scripts/notify.js'), 'success', '--url', `http://127.0.0.1:${closed}`], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: service.dataDir },
      cwd: service.dataDir,
    });
    await expect(attempt).rejects.toMatchObject({
      code: 1,
      stderr: `could not reach http://127.0.0.1:${closed}/webhooks/notification: connection refused (is the service running? npm start)\n`,
    });
  });

  it('exits 0 on SIGTERM and stops the embedded database', async () => {
    const exit = await stopServiceProcess(service);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(existsSync(join(service.dataDir, 'postgres/postmaster.pid'))).toBe(false);
    expect(service.logLines().map((line) => line.msg)).toContain('http server closed; in-flight requests finished');
  });
});

/** The embedded database's URL is not printed; it is rebuilt from the files the service keeps. */
async function withDatabase<T>(service: ServiceProcess, work: (db: Client) => Promise<{ rows: T[] }>): Promise<T[]> {
  const password = (JSON.parse(readFileSync(join(service.dataDir, 'dev-secrets.json'), 'utf8')) as DevSecrets).databasePassword;
  const port = readFileSync(join(service.dataDir, 'postgres/postmaster.pid'), 'utf8').split('\n')[3];
  const db = new Client({ connectionString: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/suki` });
  await db.connect();
  try {
    return (await work(db)).rows;
  } finally {
    await db.end();
  }
}

/** A port nothing listens on: one the system just handed out and that was closed again. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
