import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aSuccessNotification, postNotification } from './notifications';
import { createPrivatePostgres, PrivatePostgres } from './private-postgres';
import { parsePrometheus, sampleValue } from './prometheus';
import { startServiceProcess, ServiceProcess, stopServiceProcess } from './service-process';
import { TEST_INTERNAL_TOKEN, TEST_WEBHOOK_SECRET } from './test-app';
import { waitFor } from './waiting';

/** What a spool test file works with: its private cluster, and the service its current test runs. */
export interface SpoolRun {
  pg: PrivatePostgres;
  service?: ServiceProcess;
}

/**
 * A spool test file's setup: a private PostgreSQL cluster of its own, made before its tests;
 * after them, the service the last test left running is stopped and the cluster destroyed.
 */
export function useSpoolCluster(): SpoolRun {
  const run = {} as SpoolRun;
  beforeAll(async () => {
    run.pg = await createPrivatePostgres();
  }, 60_000);
  afterAll(async () => {
    if (run.service) await stopServiceProcess(run.service);
    await run.pg?.destroy();
  });
  return run;
}

export function aSpoolDir(): string {
  return mkdtempSync(join(tmpdir(), 'suki-spool-'));
}

/** The compiled service on a private cluster, with its spool where the test says (to survive restarts). */
export function startSpoolService(pg: PrivatePostgres, spoolDir: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
  return startServiceProcess({
    DATABASE_URL: pg.url,
    SUKI_WEBHOOK_SECRETS: TEST_WEBHOOK_SECRET,
    INTERNAL_API_TOKENS: TEST_INTERNAL_TOKEN,
    RETRIEVAL_ENABLED: 'false',
    SPOOL_DIR: spoolDir,
    INTAKE_COMMIT_TIMEOUT_MS: '1000',
    ...env,
  });
}

export interface Sent {
  sessionId: string;
  status: number;
  outcome?: string;
  ms: number;
}

/** Sends one signed success notification and times its answer; a connection failure is status 0. */
export async function sendOne(baseUrl: string, overrides: Record<string, unknown> = {}, generatedAt?: number): Promise<Sent> {
  const body = aSuccessNotification(overrides);
  const started = performance.now();
  try {
    const answer = await postNotification(baseUrl, body, { generatedAt });
    return {
      sessionId: body.session_id,
      status: answer.status,
      outcome: (answer.body as { outcome?: string } | undefined)?.outcome,
      ms: performance.now() - started,
    };
  } catch {
    return { sessionId: body.session_id, status: 0, ms: performance.now() - started };
  }
}

/**
 * `rate` notifications a second for `durationMs`, each sent on its own schedule whether or not
 * earlier ones were answered (Suki does not wait for us). `at` runs faults at offsets in ms.
 */
export async function stream(
  baseUrl: string,
  rate: number,
  durationMs: number,
  at: Array<[number, () => Promise<void>]> = [],
): Promise<Sent[]> {
  const count = Math.round((rate * durationMs) / 1000);
  const started = performance.now();
  const faults = at.map(async ([offset, fault]) => {
    await new Promise((resolve) => setTimeout(resolve, offset));
    await fault();
  });
  const sends: Array<Promise<Sent>> = [];
  for (let i = 0; i < count; i += 1) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sends.push(sendOne(baseUrl));
  }
  await Promise.all(faults);
  return Promise.all(sends);
}

/**
 * Sends until one is `applied`, so a stream starts on a warm service (first connection, first
 * plan). On a loaded machine the very first commit can outlast a short commit timeout and be
 * spooled — correctly — so one attempt is not enough. Returns how many were sent.
 */
export async function warmUp(baseUrl: string, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (let sent = 1; ; sent += 1) {
    if ((await sendOne(baseUrl)).outcome === 'applied') return sent;
    if (Date.now() > deadline) throw new Error(`no notification applied within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Polls until `check` is true (an error counts as not yet: the database may be down), failing with `what` past `timeoutMs`. */
export function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  return waitFor(() => check().catch(() => false), what, timeoutMs, 200);
}

/** Per session id, how many deliveries the database holds. */
export async function storedDeliveries(pg: PrivatePostgres): Promise<Map<string, number>> {
  const rows = await pg.query<{ session_id: string; n: number }>(
    'SELECT session_id, count(*)::int AS n FROM deliveries GROUP BY session_id',
  );
  return new Map(rows.map((row) => [row.session_id, row.n]));
}

/** Waits until every given session has its delivery, then returns the counts. */
export async function waitForAllStored(pg: PrivatePostgres, sessionIds: string[], timeoutMs = 30_000): Promise<Map<string, number>> {
  let stored = new Map<string, number>();
  await waitUntil(
    `${sessionIds.length} deliveries`,
    async () => {
      stored = await storedDeliveries(pg);
      return sessionIds.every((id) => stored.has(id));
    },
    timeoutMs,
  );
  return stored;
}

export async function metric(baseUrl: string, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const response = await fetch(`${baseUrl}/metrics`);
  return sampleValue(parsePrometheus(await response.text()), name, labels);
}
