'use strict';
// What every benchmark prints first, and how it tears down what it started.
const os = require('node:os');
const { withClient } = require('./database');
const { summarizeProfile } = require('./profile');
const benchSettings = require('./settings');

async function printHeader(title, settings, pg) {
  const version = await withClient(pg.adminUrl, async (c) => (await c.query('SHOW server_version')).rows[0].server_version);
  const cpus = os.cpus();
  console.log(`\n=== ${title} ===`);
  console.log(
    `machine: ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(`node ${process.version}; PostgreSQL ${version} (${pg.kind === 'local' ? "the machine's own" : 'embedded'})`);
  console.log(
    `autocannon: ${settings.connections} connections, pipelining 1, warm-up ${settings.warmup} s, ${settings.rounds} rounds × ${settings.duration} s per server`,
  );
  const overrides = Object.entries(settings.serviceEnv).map(([k, v]) => `${k}=${v}`);
  if (overrides.length > 0) console.log(`service environment overrides: ${overrides.join(' ')}`);
  console.log('servers run as separate processes; the load generator runs in this one; all share the CPUs with PostgreSQL');
  console.log(`logs: ${settings.logDir}\n`);
}

/** Stops servers in reverse start order; a failure to stop one does not leave the others. */
async function stopAll(servers) {
  for (const server of [...servers].reverse()) await server.stop().catch(() => undefined);
}

/** Stops the servers, then prints their CPU profiles when BENCH_PROFILE asked for them. */
async function stopAndReport(servers) {
  await stopAll(servers);
  // The first server started is the fake Ambient API: only the measured servers are profiled.
  if (benchSettings.profile)
    for (const server of servers.slice(1))
      console.log(`\nCPU profile: ${server.name}\n${summarizeProfile(server.profileFile, server.measuredWindows)}`);
}

/** Runs a bench script's main() when the file is run directly; its result is the exit code. */
function runIfMain(mod, main) {
  if (require.main !== mod) return;
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof Error ? error.stack : error);
      process.exit(1);
    },
  );
}

module.exports = { printHeader, stopAndReport, runIfMain };
