'use strict';
// npm run bench:intake — intake throughput of the service against the bare floor of its stack.
// Service (dist/main.js, production, retrieval against a local fake Ambient API) and floor
// (node:http + HMAC + one INSERT … ON CONFLICT DO NOTHING) run side by side on one fresh
// database and are driven alternately, A B A B after a warm-up, with unique signed success
// notifications. Afterwards every acknowledged notification must be found in the database.
// BENCH_BASELINE_DIR=<another checkout, built> adds that build to every round, on a database of
// its own, and prints this build's throughput against it: a paired run across two commits.
const { mkdirSync } = require('node:fs');
const settings = require('./lib/settings');
const { openServer, createDatabase, dropDatabase, checkpoint, withClient } = require('./lib/database');
const { buildService, startFakeSukiApi, startService, startFloor } = require('./lib/service');
const { signedSuccessRequest } = require('./lib/notifications');
const { drainRetrieval, describeDrain } = require('./lib/retrieval');
const { printHeader, runIfMain, stopAndReport } = require('./lib/context');
const { target, drive, printRuns, compare } = require('./lib/runs');
const { verdicts, mib, fixed } = require('./lib/report');

const baselineDatabase = `suki_bench_baseline_${Date.now()}`;

/** Artifacts a success with all six links asks for under the default SUKI_FETCH_LINKS. */
const ARTIFACTS_PER_SUCCESS = 5;

function intakeTarget(name, server) {
  return { ...target(name, server), acked: [], outcomes: {} };
}

function driveIntake(t, label, seconds) {
  return drive(t, {
    label,
    seconds,
    connections: settings.connections,
    build: () => {
      const { sessionId, ...request } = signedSuccessRequest(settings.webhookSecret);
      return { key: sessionId, ...request };
    },
    onAnswer: (key, status, body) => {
      if (status < 200 || status > 299) return;
      t.acked.push(key);
      const outcome = /"outcome":"(\w+)"/.exec(body)?.[1] ?? 'other';
      t.outcomes[outcome] = (t.outcomes[outcome] ?? 0) + 1;
    },
  });
}

async function drain(dbUrl, state) {
  if (state.retrievalAbsent) return;
  const result = await drainRetrieval(dbUrl, { timeoutSeconds: settings.drainTimeoutSeconds, stallSeconds: settings.drainStallSeconds });
  console.log(`           ${describeDrain(result)}`);
  if (result.reason !== 'drained' && !result.progressed) {
    state.retrievalAbsent = true;
    console.log('           (no retrieval progress seen: later drains are skipped)');
  }
}

async function loadPhases(pg, dbUrl, service, floor, baseline) {
  const state = {};
  const baselineState = {};
  const driveBaseline = async (label) => {
    if (!baseline) return;
    await checkpoint(pg);
    await driveIntake(baseline.target, label, label === 'warm-up' ? settings.warmup : settings.duration);
    await drain(baseline.dbUrl, baselineState);
  };
  await driveIntake(service, 'warm-up', settings.warmup);
  await drain(dbUrl, state);
  await driveBaseline('warm-up');
  await driveIntake(floor, 'warm-up', settings.warmup);
  for (let round = 1; round <= settings.rounds; round += 1) {
    // The baseline goes first in even rounds, so that neither build always follows the floor.
    if (round % 2 === 0) await driveBaseline(`round ${round}`);
    await checkpoint(pg);
    await driveIntake(service, `round ${round}`, settings.duration);
    await drain(dbUrl, state);
    if (round % 2 === 1) await driveBaseline(`round ${round}`);
    await checkpoint(pg);
    await driveIntake(floor, `round ${round}`, settings.duration);
  }
  return state;
}

/** How many acknowledged notifications each server really stored. */
function verifyStored(dbUrl, service, floor) {
  return withClient(dbUrl, async (c) => {
    const svc = await c.query(
      `SELECT count(*)::int AS acked,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM deliveries d WHERE d.session_id = a.id))::int AS delivered,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.id = a.id AND s.status = 'completed'))::int AS completed
         FROM unnest($1::text[]) AS a(id)`,
      [service.acked],
    );
    const flo = await c.query(
      `SELECT count(*)::int AS acked, count(f.id)::int AS stored
         FROM unnest($1::text[]) AS a(id)
         LEFT JOIN (SELECT DISTINCT convert_from(raw_body, 'UTF8')::jsonb->>'session_id' AS id FROM floor_deliveries) f USING (id)`,
      [floor.acked],
    );
    const totals = await c.query(
      'SELECT (SELECT count(*) FROM deliveries)::int AS deliveries, (SELECT count(*) FROM floor_deliveries)::int AS floor',
    );
    const artifacts = await c.query('SELECT status::text AS status, count(*)::int AS n FROM artifacts GROUP BY 1 ORDER BY 1');
    return {
      service: svc.rows[0],
      floor: flo.rows[0],
      totals: totals.rows[0],
      artifacts: Object.fromEntries(artifacts.rows.map((r) => [r.status, r.n])),
    };
  });
}

function printStorage(stored, service, fakeStats, state) {
  const s = stored.service;
  const applied = service.outcomes.applied ?? 0;
  const artifacts = Object.values(stored.artifacts).reduce((a, b) => a + b, 0);
  console.log('\nstorage check');
  console.log(
    `  service: ${s.acked} acknowledged ${JSON.stringify(service.outcomes)}; ${s.delivered} have a deliveries row, ${s.completed} a completed session`,
  );
  console.log(`  floor:   ${stored.floor.acked} acknowledged; ${stored.floor.stored} in floor_deliveries`);
  console.log(
    `  rows in total: ${stored.totals.deliveries} deliveries, ${stored.totals.floor} floor_deliveries ` +
      '(more than acknowledged by the requests still in flight when each run stopped: committed, answer not counted)',
  );
  console.log(
    `  artifacts: ${artifacts} rows, ${ARTIFACTS_PER_SUCCESS} per stored success expected (${ARTIFACTS_PER_SUCCESS * stored.totals.deliveries}): ${JSON.stringify(stored.artifacts)}`,
  );
  console.log(
    `  fake Ambient API answered: ${JSON.stringify(fakeStats)}${applied > 0 && fakeStats.ok === 0 ? '  <- no retrieval happened' : ''}`,
  );
  if (state.retrievalAbsent)
    console.log('  NOTE: retrieval made no progress in this run (no worker in this build?); the drain steps were skipped');
}

function judge(service, floor, stored, servicePeakRss) {
  const c = compare(service, floor);
  const lost =
    stored.service.acked - Math.min(stored.service.delivered, stored.service.completed) + (stored.floor.acked - stored.floor.stored);
  const checks = [
    {
      name: 'throughput ≥ 0.5 × floor',
      pass: c.ratio >= 0.5,
      detail: `${fixed(c.serviceRps)} / ${fixed(c.floorRps)} req/s = ${c.ratio.toFixed(2)} (rounds: ${c.perRound})`,
    },
    {
      name: 'zero non-2xx (service, every run)',
      pass: c.serviceFailures === 0,
      detail: `${c.serviceFailures} non-2xx, errors or timeouts`,
    },
    {
      name: 'p99 ≤ 2 × floor p99',
      pass: c.serviceP99 <= 2 * c.floorP99,
      detail: `${fixed(c.serviceP99, 1)} ms vs 2 × ${fixed(c.floorP99, 1)} = ${fixed(2 * c.floorP99, 1)} ms (means of the rounds)`,
    },
    {
      name: 'service peak RSS < 256 MiB',
      pass: servicePeakRss !== undefined && servicePeakRss < 256 * 2 ** 20,
      detail: `VmHWM ${mib(servicePeakRss)} over the whole run`,
    },
    { name: 'every acknowledged notification stored', pass: lost === 0, detail: `${lost} missing` },
  ];
  return { checks, lost };
}

/** The other build of BENCH_BASELINE_DIR, on its own database, against the same fake Suki. */
async function startBaseline(pg, fake, started) {
  if (!settings.baselineDir) return undefined;
  const dbUrl = pg.urlFor(baselineDatabase);
  const server = await startService(settings, {
    databaseUrl: dbUrl,
    sukiApiUrl: fake.url,
    name: 'baseline',
    repoRoot: settings.baselineDir,
    extraEnv: settings.baselineEnv,
  });
  started.push(server);
  return { dbUrl, target: intakeTarget('baseline', server) };
}

/** This build against the baseline's, round by round (the same rounds, so the same machine load). */
function printBaseline(service, baseline) {
  if (!baseline) return;
  const c = compare(service, baseline.target);
  console.log(`\nthis build against the baseline (${settings.baselineDir})`);
  console.log(`  throughput: ${fixed(c.serviceRps)} / ${fixed(c.floorRps)} req/s = ${c.ratio.toFixed(3)} (rounds: ${c.perRound})`);
  console.log(`  p99: ${fixed(c.serviceP99, 1)} ms vs ${fixed(c.floorP99, 1)} ms (means of the rounds)`);
  console.log(`  peak RSS (VmHWM): ${mib(service.server.peakRss())} vs ${mib(baseline.target.server.peakRss())}`);
}

async function benchmark(pg, dbUrl, started) {
  const fake = await startFakeSukiApi(settings);
  started.push(fake);
  const service = intakeTarget('service', await startService(settings, { databaseUrl: dbUrl, sukiApiUrl: fake.url }));
  started.push(service.server);
  const baseline = await startBaseline(pg, fake, started);
  const floorEnv = { DATABASE_URL: dbUrl, WEBHOOK_SECRET: settings.webhookSecret };
  const floor = intakeTarget('floor', await startFloor(settings, { script: 'floor-intake.js', name: 'floor-intake', env: floorEnv }));
  started.push(floor.server);
  console.log(`resident memory after start: service ${mib(service.server.rss())}, floor ${mib(floor.server.rss())}\n`);

  const state = await loadPhases(pg, dbUrl, service, floor, baseline);
  if (!state.retrievalAbsent) await drain(dbUrl, state);
  // After the last drain: retrieving the burst's results is part of absorbing it.
  const servicePeakRss = service.server.peakRss();
  const floorPeakRss = floor.server.peakRss();
  const stored = await verifyStored(dbUrl, service, floor);
  printRuns(service, floor, ...(baseline ? [baseline.target] : []));
  printStorage(stored, service, await fake.stats(), state);
  console.log(`  peak RSS (VmHWM): service ${mib(servicePeakRss)}, floor ${mib(floorPeakRss)}`);
  const { checks, lost } = judge(service, floor, stored, servicePeakRss);
  printBaseline(service, baseline);
  console.log(`\nintake targets\n${verdicts(checks)}`);
  if (lost > 0) return 1;
  return settings.strict && checks.some((check) => !check.pass) ? 1 : 0;
}

async function main() {
  mkdirSync(settings.logDir, { recursive: true });
  buildService(settings);
  const pg = await openServer(settings);
  await printHeader('intake: POST /webhooks/notification, service vs floor', settings, pg);
  const dbName = `suki_bench_${Date.now()}`;
  await createDatabase(pg, dbName);
  if (settings.baselineDir) await createDatabase(pg, baselineDatabase);
  const started = [];
  try {
    return await benchmark(pg, pg.urlFor(dbName), started);
  } finally {
    await stopAndReport(started);
    if (settings.keepDatabase) console.log(`\nkept database ${dbName}`);
    else {
      await dropDatabase(pg, dbName).catch(() => undefined);
      if (settings.baselineDir) await dropDatabase(pg, baselineDatabase).catch(() => undefined);
    }
    await pg.stop();
  }
}

runIfMain(module, main);

module.exports = { main };
