import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { FAKE_SUKI_TOKEN, FakeSukiApi, startFakeSukiApi } from '../support/fake-suki-api';
import { aSuccessNotification, postNotification } from '../support/notifications';
import { npmRun, REPO_ROOT, ServiceProcess, startServiceProcess, stopServiceProcess, waitForExit } from '../support/service-process';
import { TEST_WEBHOOK_SECRET } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * What a person at a terminal meets, with the real process chain: `npm start` (npm → sh → node)
 * in a process group of its own, Ctrl-C sent to the whole group as a terminal sends it, and the
 * embedded PostgreSQL. A leased artifact (Suki never answers its fetch) must be handed back
 * before PostgreSQL stops, and the exit must be 0.
 */

let suki: FakeSukiApi;

/** Nothing but what the test needs: no DATABASE_URL (the embedded PostgreSQL), a generated API token. */
const devEnv = () => ({
  SUKI_API_BASE_URL: suki.baseUrl,
  SUKI_API_TOKEN: FAKE_SUKI_TOKEN,
  SUKI_WEBHOOK_SECRETS: TEST_WEBHOOK_SECRET,
  RETRIEVAL_SHUTDOWN_GRACE_MS: '200',
});

beforeAll(async () => {
  suki = await startFakeSukiApi();
  suki.script('*', { hang: true });
});

afterAll(() => suki?.close());

/** Posts a success and waits until retrieval has leased its artifacts and is stuck fetching them. */
async function leaseAnArtifact(service: ServiceProcess): Promise<void> {
  const before = suki.requests.length;
  expect((await postNotification(service.baseUrl, aSuccessNotification())).status).toBe(200);
  await until(() => suki.requests.length >= before + 5, 20_000); // the five kinds SUKI_FETCH_LINKS names
}

function handedBack(service: ServiceProcess): number {
  const line = service.logLines().find((l) => /^retrieval stopped; \d+ unfinished/.test(String(l.msg)));
  return line ? Number(/(\d+) unfinished/.exec(line.msg as string)![1]) : -1;
}

/**
 * Starts the service again on the same DATA_DIR (retrieval off) and reads, through the embedded
 * database's URL its startup line prints, how many artifacts are still leased and pending.
 */
async function leasesLeftIn(dataDir: string): Promise<{ leased: number; pending: number; logged: boolean }> {
  const service = await startServiceProcess({ ...devEnv(), DATA_DIR: dataDir, RETRIEVAL_ENABLED: 'false' }, 90_000);
  try {
    const ready = service.logLines().find((l) => String(l.msg).startsWith('ready: '))!.msg as string;
    const url = /embedded database (postgresql:\/\/\S+)$/.exec(ready)![1];
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ leased: number; pending: number }>(
        "SELECT count(*) FILTER (WHERE locked_until IS NOT NULL)::int AS leased, count(*) FILTER (WHERE status = 'pending')::int AS pending FROM artifacts",
      );
      return { ...rows[0], logged: readFileSync(join(dataDir, 'postgres.log'), 'utf8').includes('database system is ready') };
    } finally {
      await client.end();
    }
  } finally {
    expect(await stopServiceProcess(service, 'SIGTERM', 60_000)).toEqual({ code: 0, signal: null });
  }
}

describe('the compiled service with the embedded PostgreSQL, on SIGTERM', () => {
  it('hands the leases back before PostgreSQL stops, and exits 0', async () => {
    const service = await startServiceProcess(devEnv(), 90_000);
    try {
      await leaseAnArtifact(service);
      const exit = await stopServiceProcess(service, 'SIGTERM', 60_000);
      expect({ exit, handedBack: handedBack(service) }).toEqual({ exit: { code: 0, signal: null }, handedBack: 5 });
      expect(existsSync(join(service.dataDir, 'instance.lock'))).toBe(false);
      expect(await leasesLeftIn(service.dataDir)).toEqual({ leased: 0, pending: 5, logged: true });
    } finally {
      service.kill('SIGKILL');
      rmSync(service.dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});

describe('after the service was killed with -9', () => {
  it('takes over the stale lock and stops the PostgreSQL it left running', async () => {
    const first = await startServiceProcess(devEnv(), 90_000);
    const dataDir = first.dataDir;
    try {
      const postgres = Number(readFileSync(join(dataDir, 'postgres/postmaster.pid'), 'utf8').split('\n')[0]);
      first.kill('SIGKILL');
      await waitForExit(first);
      // In a process group of its own, PostgreSQL outlives a killed instance.
      expect({ lock: existsSync(join(dataDir, 'instance.lock')), postgres: running(postgres) }).toEqual({ lock: true, postgres: true });

      const second = await startServiceProcess({ ...devEnv(), DATA_DIR: dataDir }, 90_000);
      expect(running(postgres)).toBe(false);
      expect(second.logLines().map((l) => String(l.msg))).toContain(
        `stopping the embedded PostgreSQL (pid ${postgres}) an earlier instance left running`,
      );
      expect(await stopServiceProcess(second, 'SIGTERM', 60_000)).toEqual({ code: 0, signal: null });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});

describe('`npm start` at a terminal', () => {
  let app: string;
  let first: ServiceProcess;

  beforeAll(async () => {
    app = copyOfTheProject();
    first = await startServiceProcess(devEnv(), 180_000, npmRun('start', app));
  }, 200_000);

  afterAll(() => {
    first?.kill('SIGKILL');
    for (const dir of [app, first?.dataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ends its startup with one line: the URL, the docs, the dev secrets, the embedded database', () => {
    const messages = first.logLines().map((l) => String(l.msg));
    expect(messages.at(-1)).toMatch(
      /^ready: http:\/\/localhost:(\d+) \(API docs http:\/\/localhost:\1\/docs\); dev secrets in \S+\/dev-secrets\.json; embedded database postgresql:\/\/postgres:[0-9a-f]+@127\.0\.0\.1:\d+\/suki$/,
    );
  });

  it('refuses a second `npm start` on the same DATA_DIR in one line, without rebuilding dist/', () => {
    const builtAt = statSync(join(app, 'dist/main.js')).mtimeMs;
    const launch = npmRun('start', app);
    const second = spawnSync(launch.command, launch.args, {
      cwd: app,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? app, ...devEnv(), DATA_DIR: first.dataDir, PORT: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const port = new URL(first.baseUrl).port;
    expect(second.stderr).toMatch(
      new RegExp(`^another instance \\(pid \\d+, port ${port}\\) is using DATA_DIR ${first.dataDir}, since \\S+$`, 'm'),
    );
    expect(second.status).not.toBe(0);
    expect(statSync(join(app, 'dist/main.js')).mtimeMs).toBe(builtAt);
    expect(second.stdout).not.toContain('nest build');
  });

  it('drains on one Ctrl-C (SIGINT to npm and node at once), hands back its leases and exits 0', async () => {
    await leaseAnArtifact(first);
    first.kill('SIGINT');
    const exit = await waitForExit(first, 60_000);
    const messages = first.logLines().map((l) => String(l.msg));
    expect({ exit, handedBack: handedBack(first) }).toEqual({ exit: { code: 0, signal: null }, handedBack: 5 });
    // Whether npm also forwards its copy depends on npm's version; either way one Ctrl-C must drain.
    expect(messages).toContain('SIGINT received: draining (at most 25000 ms)');
    expect(messages).not.toContain('SIGINT received again: exiting without waiting');
    expect(await leasesLeftIn(first.dataDir)).toEqual({ leased: 0, pending: 5, logged: true });
  }, 240_000);
});

describe('`npm run start:prod` at a terminal', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(() => db?.drop());

  it('drains on one Ctrl-C and exits 0', async () => {
    const service = await startServiceProcess(
      {
        DATABASE_URL: db.url,
        SUKI_WEBHOOK_SECRETS: TEST_WEBHOOK_SECRET,
        INTERNAL_API_TOKENS: 'terminal-test-token',
        SUKI_API_TOKEN: FAKE_SUKI_TOKEN,
        SUKI_API_BASE_URL: suki.baseUrl,
        RETRIEVAL_SHUTDOWN_GRACE_MS: '200',
      },
      60_000,
      npmRun('start:prod'),
    );
    try {
      await leaseAnArtifact(service);
      service.kill('SIGINT');
      expect(await waitForExit(service, 60_000)).toEqual({ code: 0, signal: null });
      expect(handedBack(service)).toBe(5);
      const [{ leased }] = await db.query<{ leased: number }>(
        'SELECT count(*)::int AS leased FROM artifacts WHERE locked_until IS NOT NULL',
      );
      expect(leased).toBe(0);
    } finally {
      service.kill('SIGKILL');
      rmSync(service.dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

/**
 * `npm start` builds, and the build empties dist/ first: other test files run the repository's
 * dist/ meanwhile, so the real `npm start` runs in a copy of the project (sharing node_modules).
 */
function copyOfTheProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'suki-npm-start-'));
  for (const entry of [
    'package.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'nest-cli.json',
    'prisma.config.ts',
    'prisma',
    'scripts',
    'src',
  ]) {
    cpSync(join(REPO_ROOT, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Alive and not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
