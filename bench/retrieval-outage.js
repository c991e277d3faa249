'use strict';
// npm run bench:outage — what a Suki outage does to retrieval, against the service as
// production runs it (dist/main.js, default retry policy) and the bench fake Ambient API:
//   1. BENCH_OUTAGE_SECONDS (150) of 503s with BENCH_OUTAGE_NOTES (20) acknowledged notes
//      (5 artifacts each): failed count, calls made during the outage, recovery → all ready.
//   2. A backlog of BENCH_DRAIN_ARTIFACTS (10,000) pending artifacts, queued during a short
//      outage: time from recovery until none is pending, and the fake's peak concurrency.
const { mkdirSync } = require('node:fs');
const { setTimeout: sleep } = require('node:timers/promises');
const settings = require('./lib/settings');
const { openServer, createDatabase, dropDatabase, withClient } = require('./lib/database');
const { buildService, startFakeSukiApi, startService } = require('./lib/service');
const { signedSuccessRequest } = require('./lib/notifications');
const { printHeader, runIfMain, stopAndReport } = require('./lib/context');

const ARTIFACTS_PER_SUCCESS = 5;
const num = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);

async function post(service, count, connections = 16) {
  let sent = 0;
  const worker = async () => {
    while (sent < count) {
      sent += 1;
      const { sessionId: _ignored, path, ...request } = signedSuccessRequest(settings.webhookSecret);
      const answer = await fetch(`${service.url}${path}`, request);
      if (answer.status !== 200) throw new Error(`intake answered ${answer.status}`);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
}

async function counts(databaseUrl) {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query('SELECT status::text, count(*)::int AS n FROM artifacts GROUP BY status');
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  });
}

async function untilNonePending(databaseUrl, timeoutSeconds) {
  const started = Date.now();
  for (;;) {
    const now = await counts(databaseUrl);
    if (!now.pending || Date.now() - started > timeoutSeconds * 1000) return { seconds: (Date.now() - started) / 1000, ...now };
    await sleep(100);
  }
}

const outage = (fake, on) => fetch(`${fake.url}/__outage/${on ? 'on' : 'off'}`, { method: 'POST' });

async function scenario(pg, fake, name, { notes, outageSeconds }) {
  const database = `suki_bench_${name}_${Date.now()}`;
  await createDatabase(pg, database);
  const databaseUrl = pg.urlFor(database);
  const service = await startService(settings, { databaseUrl, sukiApiUrl: fake.url, name: `service-${name}` });
  try {
    await outage(fake, true);
    const before = await fake.stats();
    const started = Date.now();
    await post(service, notes);
    await sleep(Math.max(0, outageSeconds * 1000 - (Date.now() - started)));
    const during = await fake.stats();
    const atRecovery = await counts(databaseUrl);
    await outage(fake, false);
    const peakBefore = (await fake.stats()).peakActive;
    const drained = await untilNonePending(databaseUrl, 600);
    return {
      artifacts: notes * ARTIFACTS_PER_SUCCESS,
      outageSeconds: (Date.now() - started) / 1000 - drained.seconds,
      callsDuringOutage: during.unavailable - before.unavailable,
      failedAtRecovery: atRecovery.failed ?? 0,
      recoveryToAllSettled: drained.seconds,
      ready: drained.ready ?? 0,
      failed: drained.failed ?? 0,
      pending: drained.pending ?? 0,
      peakConcurrencyAtFake: Math.max(peakBefore, (await fake.stats()).peakActive),
    };
  } finally {
    await service.stop();
    if (!settings.keepDatabase) await dropDatabase(pg, database).catch(() => undefined);
  }
}

async function main() {
  mkdirSync(settings.logDir, { recursive: true });
  buildService(settings);
  const pg = await openServer(settings);
  await printHeader('retrieval through a Suki outage', settings, pg);
  settings.sukiLatencyMs = num('BENCH_SUKI_LATENCY_MS', 20);
  const fake = await startFakeSukiApi(settings);
  try {
    const notes = num('BENCH_OUTAGE_NOTES', 20);
    const outageSeconds = num('BENCH_OUTAGE_SECONDS', 150);
    console.log(
      `1. ${outageSeconds} s outage (every call 503), ${notes} notes, default retry policy; fake Suki answers in ${settings.sukiLatencyMs} ms`,
    );
    console.log(await scenario(pg, fake, 'outage', { notes, outageSeconds }));
    const backlog = num('BENCH_DRAIN_ARTIFACTS', 10_000);
    const drainOutage = num('BENCH_DRAIN_OUTAGE_SECONDS', 20);
    console.log(`\n2. ${backlog} artifacts queued during a ${drainOutage} s outage, then drained`);
    console.log(await scenario(pg, fake, 'drain', { notes: Math.ceil(backlog / ARTIFACTS_PER_SUCCESS), outageSeconds: drainOutage }));
  } finally {
    await stopAndReport([fake]);
    await pg.stop();
  }
  return 0;
}

runIfMain(module, main);
