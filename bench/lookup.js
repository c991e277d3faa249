'use strict';
// npm run bench:lookup — GET /v1/sessions/{id} of the service against a floor (node:http + one
// primary-key SELECT through pg) over a database of BENCH_SESSIONS (one million) seeded sessions.
// Each request names a random existing session. Driven alternately, A B A B after a warm-up.
const { mkdirSync } = require('node:fs');
const settings = require('./lib/settings');
const { openServer } = require('./lib/database');
const { buildService, startFakeSukiApi, startService, startFloor } = require('./lib/service');
const { printHeader, runIfMain, stopAndReport } = require('./lib/context');
const { target, drive, printRuns, compare } = require('./lib/runs');
const { verdicts, mib, fixed } = require('./lib/report');
const { ensureSeeded, benchId } = require('./seed');

const authorization = `Bearer ${settings.internalToken}`;

function randomSessionPath() {
  const i = 1 + Math.floor(Math.random() * settings.lookupSessions);
  return `/v1/sessions/${benchId('s', i)}`;
}

function driveLookup(t, label, seconds) {
  return drive(t, {
    label,
    seconds,
    connections: settings.connections,
    build: () => ({ key: undefined, method: 'GET', path: randomSessionPath(), headers: { authorization } }),
  });
}

/** One request to each server before the load, to show what an answer looks like. */
async function probe(t) {
  const response = await fetch(`${t.server.url}${randomSessionPath()}`, { headers: { authorization } });
  const text = await response.text();
  let shape = text.slice(0, 80);
  try {
    shape = `keys ${Object.keys(JSON.parse(text)).join(', ')}`;
  } catch {
    // not JSON: show the start of it
  }
  console.log(`probe ${t.name.padEnd(8)} ${response.status}  ${shape}`);
  return response.status;
}

function judge(service, floor) {
  const c = compare(service, floor);
  return [
    {
      name: 'lookup throughput ≥ 0.5 × floor',
      pass: c.ratio >= 0.5,
      detail: `${fixed(c.serviceRps)} / ${fixed(c.floorRps)} req/s = ${c.ratio.toFixed(2)} (rounds: ${c.perRound})`,
    },
    {
      name: 'lookup p99 < 20 ms',
      pass: c.worstServiceP99 < 20,
      detail: `worst round ${fixed(c.worstServiceP99, 1)} ms, mean ${fixed(c.serviceP99, 1)} ms (floor ${fixed(c.floorP99, 1)} ms)`,
    },
    {
      name: 'zero non-2xx (service, every run)',
      pass: c.serviceFailures === 0,
      detail: `${c.serviceFailures} non-2xx, errors or timeouts; statuses ${JSON.stringify(service.statuses)}`,
    },
  ];
}

async function benchmark(databaseUrl, started) {
  const fake = await startFakeSukiApi(settings);
  started.push(fake);
  const service = target('service', await startService(settings, { databaseUrl, sukiApiUrl: fake.url, name: 'service-lookup' }));
  started.push(service.server);
  const floorEnv = { DATABASE_URL: databaseUrl, INTERNAL_TOKEN: settings.internalToken };
  const floor = target('floor', await startFloor(settings, { script: 'floor-lookup.js', name: 'floor-lookup', env: floorEnv }));
  started.push(floor.server);
  console.log(`resident memory after start: service ${mib(service.server.rss())}, floor ${mib(floor.server.rss())}\n`);

  if ((await probe(service)) === 404)
    console.log('      (404 for an existing session: GET /v1/sessions/:id is probably not in this build)');
  await probe(floor);
  await driveLookup(service, 'warm-up', settings.warmup);
  await driveLookup(floor, 'warm-up', settings.warmup);
  for (let round = 1; round <= settings.rounds; round += 1) {
    await driveLookup(service, `round ${round}`, settings.duration);
    await driveLookup(floor, `round ${round}`, settings.duration);
  }
  printRuns(service, floor);
  console.log(`\n  peak RSS (VmHWM): service ${mib(service.server.peakRss())}, floor ${mib(floor.server.peakRss())}`);
  const checks = judge(service, floor);
  console.log(`\nlookup targets (${settings.lookupSessions} sessions)\n${verdicts(checks)}`);
  return settings.strict && checks.some((check) => !check.pass) ? 1 : 0;
}

async function main() {
  mkdirSync(settings.logDir, { recursive: true });
  buildService(settings);
  const pg = await openServer(settings);
  await printHeader('lookup: GET /v1/sessions/{id}, service vs floor', settings, pg);
  const databaseUrl = await ensureSeeded(pg);
  const started = [];
  try {
    return await benchmark(databaseUrl, started);
  } finally {
    await stopAndReport(started);
    await pg.stop();
  }
}

runIfMain(module, main);

module.exports = { main };
