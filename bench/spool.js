'use strict';
// npm run bench:spool — what a PostgreSQL outage costs, end to end, against a private cluster:
//  1. outage: 40 notifications/s for 40 s, PostgreSQL stopped (pg_ctl -m immediate) from 10 s to
//     30 s: how many acknowledged notifications are missing from the database afterwards (lost),
//     stored twice, answered non-2xx, and the slowest answer;
//  2. hang: the same stream with every PostgreSQL process SIGSTOPped for 10 s: the slowest answer
//     against INTAKE_COMMIT_TIMEOUT_MS, and losses;
//  3. spool mode: autocannon at full speed while the database is down (every answer 202 spooled),
//     then the drain rate once it is back, with no other traffic.
const { mkdtempSync, mkdirSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const settings = require('./lib/settings');
const { buildService } = require('./lib/service');
const { freePort, startServer } = require('./lib/processes');
const { signedSuccessRequest } = require('./lib/notifications');
const { measure } = require('./lib/load');
const { createPrivatePostgres } = require('./lib/private-postgres');

const RATE = Number(process.env.BENCH_SPOOL_RATE || 40);
const COMMIT_TIMEOUT_MS = Number(process.env.BENCH_SPOOL_COMMIT_TIMEOUT_MS || 2000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function startSpoolService(pg, spoolDir) {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TZ: 'UTC',
    NODE_ENV: 'production',
    PORT: String(port),
    DATABASE_URL: pg.url,
    SUKI_WEBHOOK_SECRETS: settings.webhookSecret,
    INTERNAL_API_TOKENS: settings.internalToken,
    SUKI_API_TOKEN: settings.sukiToken,
    SUKI_API_BASE_URL: 'http://127.0.0.1:9',
    RETRIEVAL_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    SPOOL_DIR: spoolDir,
    INTAKE_COMMIT_TIMEOUT_MS: String(COMMIT_TIMEOUT_MS),
    ...settings.serviceEnv,
  };
  const server = await startServer({
    name: 'service-spool',
    script: settings.distMain,
    cwd: settings.repoRoot,
    env,
    logDir: settings.logDir,
    readyUrl: `http://127.0.0.1:${port}/health/live`,
  });
  return { ...server, url: `http://127.0.0.1:${port}` };
}

async function sendOne(url) {
  const { sessionId, method, path, headers, body } = signedSuccessRequest(settings.webhookSecret);
  const started = performance.now();
  try {
    const response = await fetch(url + path, { method, headers, body, signal: AbortSignal.timeout(15_000) });
    const text = await response.text();
    return { sessionId, status: response.status, outcome: /"outcome":"(\w+)"/.exec(text)?.[1], ms: performance.now() - started };
  } catch {
    return { sessionId, status: 0, ms: performance.now() - started };
  }
}

/** `RATE` a second for `seconds`, each on its own schedule; faults at offsets (ms). */
async function stream(url, seconds, faults) {
  const started = performance.now();
  const pendingFaults = faults.map(async ([at, fault]) => {
    await sleep(at);
    await fault();
  });
  const sends = [];
  for (let i = 0; i < RATE * seconds; i += 1) {
    const wait = started + (i * 1000) / RATE - performance.now();
    if (wait > 0) await sleep(wait);
    sends.push(sendOne(url));
  }
  await Promise.all(pendingFaults);
  return Promise.all(sends);
}

async function spoolRecords(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^suki_spool_records (\S+)$/m.exec(text)?.[1] ?? NaN);
}

async function waitForEmptySpool(url, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await spoolRecords(url)) > 0) {
    if (Date.now() > deadline) throw new Error('spool did not drain');
    await sleep(50);
  }
}

/** Acknowledged but missing (lost), stored more than once, and the answers by status/outcome. */
async function account(pg, sent) {
  const rows = await pg.query('SELECT session_id, count(*)::int AS n FROM deliveries WHERE session_id = ANY($1) GROUP BY session_id', [
    sent.map((s) => s.sessionId),
  ]);
  const stored = new Map(rows.map((r) => [r.session_id, r.n]));
  const acked = sent.filter((s) => s.status >= 200 && s.status < 300);
  const answers = {};
  for (const s of sent) answers[s.outcome ?? s.status] = (answers[s.outcome ?? s.status] ?? 0) + 1;
  return {
    sent: sent.length,
    answers,
    lost: acked.filter((s) => !stored.has(s.sessionId)).length,
    twice: [...stored.values()].filter((n) => n > 1).length,
    non2xx: sent.length - acked.length,
    slowestMs: Math.round(Math.max(...sent.map((s) => s.ms))),
  };
}

async function scenario(pg, name, seconds, faults) {
  const spoolDir = mkdtempSync(join(tmpdir(), 'bench-spool-'));
  const service = await startSpoolService(pg, spoolDir);
  try {
    const sent = await stream(service.url, seconds, faults);
    const backAt = Date.now();
    await waitForEmptySpool(service.url);
    const result = { ...(await account(pg, sent)), drainedWithinMs: Date.now() - backAt };
    console.log(`${name}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await service.stop();
    rmSync(spoolDir, { recursive: true, force: true });
  }
}

async function spoolMode(pg) {
  const spoolDir = mkdtempSync(join(tmpdir(), 'bench-spool-'));
  const service = await startSpoolService(pg, spoolDir);
  try {
    await pg.stop();
    // One notification to turn spooling on, so the run measures the spool alone.
    await sendOne(service.url);
    const outcomes = {};
    const { stats } = await measure(service, {
      connections: settings.connections,
      durationSeconds: settings.duration,
      build: () => {
        const { sessionId, ...request } = signedSuccessRequest(settings.webhookSecret);
        return { key: sessionId, ...request };
      },
      onAnswer: (_key, status, body) => {
        const outcome = /"outcome":"(\w+)"/.exec(body)?.[1] ?? String(status);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      },
    });
    const depth = await spoolRecords(service.url);
    console.log(
      `spool mode (database down, ${settings.connections} connections, ${settings.duration} s): ${stats.requestsPerSecond.toFixed(0)} req/s, ` +
        `p50 ${stats.p50} ms, p99 ${stats.p99} ms, answers ${JSON.stringify(outcomes)}, spooled ${depth}`,
    );
    await pg.start();
    // Timed from the first drained record: the drainer's retry back-off (up to 2 s) is not the drain rate.
    let first;
    let left = depth;
    const deadline = Date.now() + 300_000;
    while (left > 0 && Date.now() < deadline) {
      await sleep(20);
      left = await spoolRecords(service.url);
      if (first === undefined && left < depth) first = { at: Date.now(), left };
    }
    const seconds = (Date.now() - first.at) / 1000;
    console.log(`drain: ${first.left} notifications in ${seconds.toFixed(2)} s = ${(first.left / seconds).toFixed(0)} notifications/s`);
  } finally {
    await service.stop();
    rmSync(spoolDir, { recursive: true, force: true });
  }
}

async function main() {
  mkdirSync(settings.logDir, { recursive: true });
  buildService(settings);
  const pg = await createPrivatePostgres();
  let failed;
  try {
    if (process.env.BENCH_SPOOL_ONLY === 'mode') return await spoolMode(pg);
    const outage = await scenario(pg, `outage (${RATE}/s for 40 s, PostgreSQL stopped 10-30 s)`, 40, [
      [10_000, () => pg.stop()],
      [30_000, () => pg.start()],
    ]);
    const hang = await scenario(pg, `hang (${RATE}/s for 20 s, every PostgreSQL process SIGSTOPped 5-15 s)`, 20, [
      [5_000, () => pg.freeze()],
      [15_000, () => pg.thaw()],
    ]);
    failed = outage.lost > 0 || hang.lost > 0 || outage.twice > 0 || hang.twice > 0;
    await spoolMode(pg);
  } finally {
    await pg.destroy();
  }
  console.log(`logs: ${settings.logDir}`);
  if (failed) {
    console.error('LOST OR DUPLICATED NOTIFICATIONS');
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
