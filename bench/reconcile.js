'use strict';
// npm run bench:reconcile — missed-notification recovery at scale: with
// BENCH_RECONCILE_SESSIONS (10,000) registered sessions outstanding that Suki keeps reporting
// `running`, how many status calls does the service make per minute, and per session over the
// horizon?
//   1. Analytic, from the schedule the service runs (dist/retrieval/reconcile-schedule.js) at its
//      defaults: the fewest and most calls one session costs over RECONCILE_HORIZON_MS, and a
//      simulation of N sessions registered at once (the worst case: their polls start in step),
//      calls per minute over the whole horizon.
//   2. Measured: the service as production runs it (dist/main.js, default schedule, first poll at
//      once: RECONCILE_AFTER_MS=0), N sessions registered over HTTP, BENCH_RECONCILE_SECONDS (150)
//      of polling against the bench fake Suki: calls per minute as the fake counted them, and polls
//      per session from the database.
const { mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { randomUUID } = require('node:crypto');
const { setTimeout: sleep } = require('node:timers/promises');
const settings = require('./lib/settings');
const { openServer, createDatabase, dropDatabase, withClient } = require('./lib/database');
const { buildService, startFakeSukiApi, startService } = require('./lib/service');
const { printHeader, runIfMain, stopAndReport } = require('./lib/context');

const num = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const REGISTRAR_TOKEN = 'bench-registrar-token-not-for-production';
const DEFAULTS = { baseMs: 60_000, maxMs: 1_800_000, horizonMs: 172_800_000 };

function analytic(sessions) {
  const schedule = require(join(settings.repoRoot, 'dist/retrieval/reconcile-schedule.js'));
  const perMinute = new Map();
  for (let s = 0; s < sessions; s += 1) {
    let polls = 1;
    let elapsed = 0;
    for (;;) {
      const minute = Math.floor(elapsed / 60_000);
      perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
      const next = schedule.nextPoll(polls, elapsed, DEFAULTS, Math.random);
      if (!next.poll) break;
      elapsed += next.delayMs;
      polls += 1;
    }
  }
  const minutes = [...perMinute.entries()].sort((a, b) => a[0] - b[0]);
  const total = minutes.reduce((sum, [, n]) => sum + n, 0);
  const steady = minutes.filter(([m]) => m >= 120 && m < 2880);
  return {
    perSessionFewest: schedule.minPollsWithin(DEFAULTS),
    perSessionMost: schedule.maxPollsWithin(DEFAULTS),
    perSessionMean: Number((total / sessions).toFixed(1)),
    callsByMinuteFirst10: Object.fromEntries(minutes.filter(([m]) => m < 10)),
    peakCallsPerMinute: Math.max(...minutes.map(([, n]) => n)),
    steadyCallsPerMinuteMean: Math.round(steady.reduce((sum, [, n]) => sum + n, 0) / steady.length),
    steadyCallsPerMinuteMax: Math.max(...steady.map(([, n]) => n)),
    totalCallsOverHorizon: total,
  };
}

async function registerAll(service, ids, connections = 16) {
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const sessionId = ids[next++];
      const answer = await fetch(`${service.url}/v1/sessions/${sessionId}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${REGISTRAR_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ encounterId: randomUUID() }),
      });
      if (answer.status !== 201) throw new Error(`registration answered ${answer.status}`);
      await answer.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
}

async function measured(pg, fake, sessions, seconds) {
  const database = `suki_bench_reconcile_${Date.now()}`;
  await createDatabase(pg, database);
  const databaseUrl = pg.urlFor(database);
  settings.serviceEnv = {
    ...settings.serviceEnv,
    INTERNAL_API_CLIENTS: `bench-registrar:register:${REGISTRAR_TOKEN}`,
    RECONCILE_AFTER_MS: '0',
  };
  // Registered first with retrieval off, so that every session is outstanding when polling starts.
  const registrar = await startService(
    { ...settings, serviceEnv: { ...settings.serviceEnv, RETRIEVAL_ENABLED: 'false' } },
    { databaseUrl, sukiApiUrl: fake.url, name: 'service-registrar' },
  );
  const ids = Array.from({ length: sessions }, () => randomUUID());
  const registering = Date.now();
  try {
    await registerAll(registrar, ids);
  } finally {
    await registrar.stop();
  }
  const registrationSeconds = (Date.now() - registering) / 1000;
  const service = await startService(settings, { databaseUrl, sukiApiUrl: fake.url, name: 'service-reconcile' });
  try {
    const base = (await fake.stats()).ok;
    const started = Date.now();
    const perMinute = [];
    let last = base;
    for (let step = 1; step * 30 <= seconds; step += 1) {
      await sleep(Math.max(0, started + step * 30_000 - Date.now()));
      const now = (await fake.stats()).ok;
      perMinute.push((now - last) * 2);
      last = now;
    }
    const polls = await withClient(databaseUrl, async (client) => {
      const { rows } = await client.query(
        `SELECT attempts, count(*)::int AS sessions FROM artifacts WHERE kind = 'status' GROUP BY attempts ORDER BY attempts`,
      );
      return Object.fromEntries(rows.map((row) => [`${row.attempts} poll(s)`, row.sessions]));
    });
    return {
      sessions,
      registrationSeconds,
      registrationsPerSecond: Math.round(sessions / registrationSeconds),
      statusCallsPerMinuteBy30sWindow: perMinute,
      sessionsByPollsSoFar: polls,
      peakConcurrencyAtFake: (await fake.stats()).peakActive,
    };
  } finally {
    await service.stop();
    if (!settings.keepDatabase) await dropDatabase(pg, database).catch(() => undefined);
  }
}

async function main() {
  mkdirSync(settings.logDir, { recursive: true });
  buildService(settings);
  const sessions = num('BENCH_RECONCILE_SESSIONS', 10_000);
  const seconds = num('BENCH_RECONCILE_SECONDS', 150);
  console.log(`1. analytic: ${sessions} sessions registered at once, Suki saying running throughout, default schedule`);
  console.log(analytic(sessions));
  const pg = await openServer(settings);
  await printHeader('missed-notification recovery: status polls', settings, pg);
  settings.sukiLatencyMs = num('BENCH_SUKI_LATENCY_MS', 20);
  settings.sukiSessionStatus = 'running';
  const fake = await startFakeSukiApi(settings);
  try {
    console.log(
      `\n2. measured: ${sessions} registered sessions, ${seconds} s of polling; fake Suki answers running in ${settings.sukiLatencyMs} ms`,
    );
    console.log(await measured(pg, fake, sessions, seconds));
  } finally {
    await stopAndReport([fake]);
    await pg.stop();
  }
  return 0;
}

runIfMain(module, main);
