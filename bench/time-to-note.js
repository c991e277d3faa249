'use strict';
// npm run bench:time-to-note — how long a clinician waits for the note after Suki's notification
// is acknowledged, when a burst of successes arrives at once. The service as production runs it
// (dist/main.js, default retrieval settings) against the bench fake Ambient API answering every
// call after BENCH_TTN_LATENCY_MS (500); "limited" runs the fake with a limit of BENCH_TTN_LIMIT
// (16) calls at once, above which it answers 429 with Retry-After: 1. For each burst of
// BENCH_TTN_BURSTS (100,1000) successes (5 artifacts each): note (`contents`) ready p50/p99/last,
// the last artifact of any kind, calls made, share answered 429, failed artifacts. Then the
// limited Suki with BENCH_TTN_REPLICAS (2) services on one database, burst BENCH_TTN_REPLICA_BURST
// (1000): the pressure must not grow with the replica count. Times are per notification, from
// its acknowledgement (the 200) to the artifact's fetched_at.
const { mkdirSync } = require('node:fs');
const { setTimeout: sleep } = require('node:timers/promises');
const settings = require('./lib/settings');
const { openServer, createDatabase, dropDatabase, withClient } = require('./lib/database');
const { buildService, startFakeSukiApi, startService } = require('./lib/service');
const { signedSuccessRequest } = require('./lib/notifications');
const { printHeader, runIfMain, stopAndReport } = require('./lib/context');
const { table, fixed } = require('./lib/report');

const ARTIFACTS_PER_SUCCESS = 5;
const num = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const list = (name, fallback) => (process.env[name] ?? fallback).split(',').map(Number).filter(Boolean);

/** Posts `count` successes over 16 connections, spread over the services; returns encounter id → ack time (ms). */
async function postBurst(services, count, connections = 16) {
  const acked = new Map();
  let sent = 0;
  const worker = async (n) => {
    while (sent < count) {
      const service = services[sent % services.length];
      sent += 1;
      const { sessionId: _ignored, path, ...request } = signedSuccessRequest(settings.webhookSecret);
      const encounterId = JSON.parse(request.body.toString()).encounter_id;
      const answer = await fetch(`${service.url}${path}`, request);
      if (answer.status !== 200) throw new Error(`intake answered ${answer.status} (connection ${n})`);
      acked.set(encounterId, Date.now());
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, n) => worker(n)));
  return acked;
}

async function readyTimes(databaseUrl, timeoutSeconds) {
  const started = Date.now();
  return withClient(databaseUrl, async (client) => {
    for (;;) {
      const { rows } = await client.query(
        `SELECT encounter_id, kind::text, status::text, (EXTRACT(EPOCH FROM fetched_at) * 1000)::float8 AS fetched_ms
         FROM artifacts WHERE kind <> 'status'`,
      );
      const pending = rows.filter((row) => row.status === 'pending').length;
      if (pending === 0 || Date.now() - started > timeoutSeconds * 1000) return { rows, pending };
      await sleep(250);
    }
  });
}

function quantile(sorted, q) {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

async function scenario(pg, name, { burst, limit, replicas }) {
  const fake = await startFakeSukiApi({ ...settings, sukiLatencyMs: num('BENCH_TTN_LATENCY_MS', 500), sukiConcurrencyLimit: limit });
  const database = `suki_bench_ttn_${Date.now()}`;
  await createDatabase(pg, database);
  const databaseUrl = pg.urlFor(database);
  const services = [];
  try {
    // One after the other: the first applies the migrations.
    for (let i = 0; i < replicas; i += 1)
      services.push(await startService(settings, { databaseUrl, sukiApiUrl: fake.url, name: `service-ttn-${name}-${i}` }));
    const before = await fake.stats();
    const started = Date.now();
    const acked = await postBurst(services, burst);
    const intakeSeconds = (Date.now() - started) / 1000;
    const { rows, pending } = await readyTimes(databaseUrl, num('BENCH_TTN_TIMEOUT', 900));
    const after = await fake.stats();
    const waits = (kind) =>
      rows
        .filter((row) => row.status === 'ready' && (kind === undefined || row.kind === kind) && acked.has(row.encounter_id))
        .map((row) => (row.fetched_ms - acked.get(row.encounter_id)) / 1000)
        .sort((a, b) => a - b);
    const notes = waits('contents');
    const all = waits();
    const calls = after.ok + after.limited + after.unavailable - (before.ok + before.limited + before.unavailable);
    const limited = after.limited - before.limited;
    return {
      scenario: name,
      burst,
      intake: fixed(intakeSeconds, 1),
      noteP50: fixed(quantile(notes, 0.5), 1),
      noteP99: fixed(quantile(notes, 0.99), 1),
      noteLast: fixed(notes.at(-1), 1),
      allLast: fixed(all.at(-1), 1),
      calls,
      limited: `${fixed((100 * limited) / Math.max(1, calls), 1)} %`,
      peak: after.peakActive,
      failed: rows.filter((row) => row.status === 'failed').length,
      pending,
      expected: burst * ARTIFACTS_PER_SUCCESS,
    };
  } finally {
    for (const service of services.reverse()) await service.stop();
    await fake.stop();
    if (!settings.keepDatabase) await dropDatabase(pg, database).catch(() => undefined);
  }
}

const COLUMNS = [
  { key: 'scenario', title: 'scenario', left: true },
  { key: 'burst', title: 'burst' },
  { key: 'intake', title: 'intake s' },
  { key: 'noteP50', title: 'note p50 s' },
  { key: 'noteP99', title: 'note p99 s' },
  { key: 'noteLast', title: 'last note s' },
  { key: 'allLast', title: 'last artifact s' },
  { key: 'calls', title: 'calls' },
  { key: 'limited', title: '429' },
  { key: 'peak', title: 'peak at Suki' },
  { key: 'failed', title: 'failed' },
  { key: 'pending', title: 'pending' },
];

async function main() {
  mkdirSync(settings.logDir, { recursive: true });
  buildService(settings);
  const pg = await openServer(settings);
  await printHeader('time to note: bursts of successes against a slow (and a limiting) Suki', settings, pg);
  const limit = num('BENCH_TTN_LIMIT', 16);
  const replicas = num('BENCH_TTN_REPLICAS', 2);
  console.log(
    `fake Suki answers in ${num('BENCH_TTN_LATENCY_MS', 500)} ms; limited: above ${limit} at once, 429 + Retry-After: 1; ` +
      "times from each notification's acknowledgement to its artifact's fetched_at\n",
  );
  const plans = [];
  for (const burst of list('BENCH_TTN_BURSTS', '100,1000')) {
    plans.push({ name: 'unlimited', burst, limit: 0, replicas: 1 });
    plans.push({ name: `limited ${limit}`, burst, limit, replicas: 1 });
  }
  if (replicas > 1)
    plans.push({ name: `limited ${limit}, ${replicas} replicas`, burst: num('BENCH_TTN_REPLICA_BURST', 1000), limit, replicas });
  const results = [];
  try {
    for (const plan of plans) {
      const result = await scenario(pg, plan.name, plan);
      results.push(result);
      console.log(table(COLUMNS, [result]).split('\n').at(-1));
    }
  } finally {
    await stopAndReport([]);
    await pg.stop();
  }
  console.log(`\n${table(COLUMNS, results)}`);
  return results.some((r) => r.pending > 0) ? 1 : 0;
}

runIfMain(module, main);
