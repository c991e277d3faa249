'use strict';
// node bench/faults.js [hang|full|sigterm ...] — the compiled service (dist/, `npm run build`
// first) driven from outside through three faults, each against a private PostgreSQL cluster:
//  hang     every PostgreSQL process SIGSTOPped, then the service started: how long until a first
//           notification is acknowledged, and until it is in the database after SIGCONT;
//  full     PostgreSQL down, SPOOL_DIR on a 3 MiB tmpfs (needs root), 400 notifications of 20 KB
//           one after the other: the answers, readiness every 50, whether the process lived, and
//           how many acknowledged notifications the database holds once it is back;
//  sigterm  NODE_ENV=production, SIGTERM, then a notification every 100 ms for 1.5 s: readiness
//           right after the signal, the answers, the exit, and the database afterwards;
//  readonly PostgreSQL turned read-only under the service (as a primary demoted in a failover:
//           default_transaction_read_only, its sessions ended), 50 notifications, then read-write
//           again: the answers, and how many acknowledged notifications the database holds;
//  kill9    notifications from 8 connections, the service killed with SIGKILL in the middle, then
//           started again on the same spool: acknowledged against stored.
const { execFileSync, spawn } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const settings = require('./lib/settings');
const { createPrivatePostgres } = require('./lib/private-postgres');
const { sign } = require('./lib/notifications');

const SECRET = 'bench-faults-secret';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const tally = (statuses) => statuses.reduce((counts, s) => ({ ...counts, [s]: (counts[s] ?? 0) + 1 }), {});

function startService(env) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-faults-'));
  const child = spawn(process.execPath, [settings.distMain], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH,
      HOME: dataDir,
      TZ: 'UTC',
      DATA_DIR: dataDir,
      PORT: '0',
      SUKI_WEBHOOK_SECRETS: SECRET,
      INTERNAL_API_TOKENS: settings.internalToken,
      RETRIEVAL_ENABLED: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const port = () => Number(/ready: http:\/\/localhost:(\d+)/.exec(output)?.[1]) || undefined;
  const listening = async () => {
    while (!port()) {
      if (child.exitCode !== null) throw new Error(`service exited ${child.exitCode}:\n${output.slice(-2000)}`);
      await sleep(50);
    }
    return port();
  };
  return { child, exited, port, listening, stop: () => child.kill('SIGKILL') };
}

async function post(port, paddingBytes = 0) {
  const body = Buffer.from(
    JSON.stringify({
      session_id: randomUUID(),
      encounter_id: randomUUID(),
      status: 'success',
      additional_info: { padding: 'x'.repeat(paddingBytes) },
    }),
  );
  const generatedAt = String(Date.now());
  try {
    const answer = await fetch(`http://127.0.0.1:${port}/webhooks/notification`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'generated-at': generatedAt, 'x-api-key': sign(body, generatedAt, SECRET) },
      signal: AbortSignal.timeout(10_000),
    });
    return answer.status;
  } catch {
    return 0; // refused or reset: nothing listens
  }
}

async function ready(port) {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(5_000) })).status;
  } catch {
    return 0;
  }
}

const deliveries = async (pg) => (await pg.query('SELECT count(*)::int AS n FROM deliveries').catch(() => [{ n: 0 }]))[0].n;

async function waitFor(check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) if (await check()) return true;
  return false;
}

/** Sends `count` notifications from `connections` at once; the statuses, in no order. */
async function postMany(port, count, connections) {
  const statuses = [];
  let sent = 0;
  const worker = async () => {
    while (sent < count) {
      sent += 1;
      statuses.push(await post(port));
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return statuses;
}

const acknowledgedIn = (statuses) => statuses.filter((s) => s >= 200 && s < 300).length;

const scenarios = {
  async hang(pg) {
    await pg.freeze();
    const started = Date.now();
    const service = startService({ DATABASE_URL: pg.url, SPOOL_DIR: mkdtempSync(join(tmpdir(), 'bench-spool-')) });
    let first;
    while (!first && Date.now() - started < 60_000 && service.child.exitCode === null) {
      const status = service.port() && (await post(service.port()));
      if (status >= 200 && status < 300) first = { status, ms: Date.now() - started };
      else await sleep(100);
    }
    console.log(
      `hang: first 2xx ${first ? `${first.status} after ${first.ms} ms` : 'none within 60 s'}; exit code ${service.child.exitCode}`,
    );
    await pg.thaw();
    const thawed = Date.now();
    if (first && (await waitFor(async () => (await deliveries(pg)) >= 1, 30_000)))
      console.log(`hang: in the database ${Date.now() - thawed} ms after SIGCONT`);
    service.stop();
  },

  async full(pg) {
    const mountPoint = mkdtempSync(join(tmpdir(), 'bench-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mountPoint]);
    const service = startService({ DATABASE_URL: pg.url, SPOOL_DIR: join(mountPoint, 'spool') });
    try {
      const port = await service.listening();
      await post(port); // one on time, to warm up
      await pg.stop();
      const statuses = [];
      const readiness = [];
      for (let i = 0; i < 400; i += 1) {
        statuses.push(await post(port, 20_000));
        if (i % 50 === 49) readiness.push(await ready(port));
      }
      const acknowledged = statuses.filter((s) => s === 202).length;
      console.log(
        `full: answers ${JSON.stringify(tally(statuses))}; readiness every 50: ${readiness.join(',')}; process ${service.child.exitCode === null ? 'alive' : `exited ${service.child.exitCode}`}`,
      );
      await pg.start();
      await waitFor(async () => (await deliveries(pg)) >= acknowledged + 1, 60_000);
      console.log(
        `full: the database holds ${(await deliveries(pg)) - 1} of the ${acknowledged} acknowledged (202) during the outage; readiness now ${await ready(port)}`,
      );
    } finally {
      service.stop();
      await service.exited;
      execFileSync('umount', [mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    }
  },

  async sigterm(pg) {
    const service = startService({
      NODE_ENV: 'production',
      DATABASE_URL: pg.url,
      SUKI_API_TOKEN: 'bench',
      SUKI_API_BASE_URL: 'http://127.0.0.1:9',
      SPOOL_DIR: mkdtempSync(join(tmpdir(), 'bench-spool-')),
    });
    const port = await service.listening();
    await post(port);
    const signalled = Date.now();
    service.child.kill('SIGTERM');
    const readiness = await ready(port);
    const answers = [];
    while (Date.now() - signalled < 1_500) {
      answers.push(post(port));
      await sleep(100);
    }
    const statuses = await Promise.all(answers);
    const exit = await service.exited;
    console.log(
      `sigterm: readiness right after the signal ${readiness}; notifications in the next 1.5 s ${JSON.stringify(tally(statuses))}; exit ${exit.code ?? exit.signal} after ${Date.now() - signalled} ms`,
    );
    console.log(
      `sigterm: the database holds ${(await deliveries(pg)) - 1} of the ${statuses.filter((s) => s >= 200 && s < 300).length} acknowledged after the signal`,
    );
  },

  async readonly(pg) {
    const service = startService({ DATABASE_URL: pg.url, SPOOL_DIR: mkdtempSync(join(tmpdir(), 'bench-spool-')) });
    try {
      const port = await service.listening();
      await post(port);
      await pg.query("ALTER SYSTEM SET default_transaction_read_only = 'on'");
      await pg.query('SELECT pg_reload_conf()');
      await pg.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database()',
      );
      const statuses = [];
      for (let i = 0; i < 50; i += 1) statuses.push(await post(port));
      const readiness = await ready(port);
      await pg.query('ALTER SYSTEM RESET default_transaction_read_only');
      await pg.query('SELECT pg_reload_conf()');
      const acknowledged = acknowledgedIn(statuses);
      const back = Date.now();
      const stored = await waitFor(async () => (await deliveries(pg)) >= acknowledged + 1, 60_000);
      console.log(
        `readonly: answers ${JSON.stringify(tally(statuses))}; readiness while read-only ${readiness}; process ${service.child.exitCode === null ? 'alive' : `exited ${service.child.exitCode}`}`,
      );
      console.log(
        `readonly: the database holds ${(await deliveries(pg)) - 1} of the ${acknowledged} acknowledged${stored ? `, ${Date.now() - back} ms after it was writable again` : ' (not all within 60 s)'}`,
      );
    } finally {
      service.stop();
      await service.exited;
    }
  },

  async kill9(pg) {
    const spool = mkdtempSync(join(tmpdir(), 'bench-spool-'));
    const first = startService({ DATABASE_URL: pg.url, SPOOL_DIR: spool });
    const port = await first.listening();
    const sending = postMany(port, 2_000, 8);
    await waitFor(async () => (await deliveries(pg)) >= 200, 30_000);
    first.child.kill('SIGKILL');
    const statuses = await sending;
    await first.exited;
    const second = startService({ DATABASE_URL: pg.url, SPOOL_DIR: spool });
    try {
      await second.listening();
      const acknowledged = acknowledgedIn(statuses);
      await waitFor(async () => (await deliveries(pg)) >= acknowledged, 30_000);
      console.log(`kill9: answers ${JSON.stringify(tally(statuses))} (0: the connection died with the process)`);
      console.log(`kill9: after the restart the database holds ${await deliveries(pg)} notifications; ${acknowledged} were acknowledged`);
    } finally {
      second.stop();
      await second.exited;
    }
  },
};

async function main() {
  const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(scenarios);
  for (const name of chosen) {
    if (!scenarios[name]) throw new Error(`unknown scenario ${name}: one of ${Object.keys(scenarios).join(', ')}`);
    const pg = await createPrivatePostgres();
    try {
      await scenarios[name](pg);
    } finally {
      await pg.destroy();
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
