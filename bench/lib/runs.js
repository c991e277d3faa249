'use strict';
// Driving one server at a time and keeping each run's figures, in the order they were taken.
const { readFileSync } = require('node:fs');
const { measure } = require('./load');
const { table, RUN_COLUMNS, runRow, mib, fixed, mean } = require('./report');

let sequence = 0;

/** Busy and total jiffies of the whole machine (all CPUs), from /proc/stat; undefined off Linux. */
function machineTicks() {
  try {
    const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const numbers = values.map(Number);
    const idle = numbers[3] + (numbers[4] ?? 0);
    const total = numbers.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** CLOCK_MONOTONIC in µs: the clock V8 stamps CPU-profile samples with, in every process. */
const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

function target(name, server) {
  return { name, server, statuses: {}, runs: [] };
}

/**
 * One load run against `t`. `build()` makes each request ({ key, method, path, headers, body });
 * `onAnswer(key, status, body)` hears every answer; status codes are tallied on the target.
 */
async function drive(t, { label, seconds, connections, build, onAnswer = () => undefined }) {
  const start = monotonicMicros();
  const machineBefore = machineTicks();
  const ownBefore = process.cpuUsage();
  const { stats, rss, cpuSeconds } = await measure(t.server, {
    connections,
    durationSeconds: seconds,
    build,
    onAnswer: (key, status, body) => {
      t.statuses[status] = (t.statuses[status] ?? 0) + 1;
      onAnswer(key, status, body);
    },
  });
  const own = process.cpuUsage(ownBefore);
  const machineAfter = machineTicks();
  const run = { label, stats, rss, cpuSeconds, seq: (sequence += 1), window: { start, end: monotonicMicros() } };
  // What else used the CPUs meanwhile: the load generator (this process) and the whole machine.
  run.loadGeneratorShare = (own.user + own.system) / 1e6 / stats.durationSeconds;
  if (machineBefore && machineAfter)
    run.machineShare = (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total);
  t.runs.push(run);
  // Kept on the server too, so that its CPU profile can be read for the measured rounds only.
  if (label.startsWith('round')) (t.server.measuredWindows ??= []).push(run.window);
  console.log(
    `${label.padEnd(10)} ${t.name.padEnd(8)} ${fixed(stats.requestsPerSecond).padStart(6)} req/s  p50 ${fixed(stats.p50, 1)} ms  ` +
      `p99 ${fixed(stats.p99, 1)} ms  non-2xx ${stats.non2xx}  errors ${stats.errors + stats.timeouts}  RSS ${mib(rss)}  ` +
      `CPU ${cpuShare(run)} of a core, ${cpuPerRequest(run)} ms/request; load generator ${(100 * run.loadGeneratorShare).toFixed(0)} %, ` +
      `machine ${run.machineShare === undefined ? 'n/a' : `${(100 * run.machineShare).toFixed(0)} % busy`}`,
  );
  return run;
}

const answered = (stats) => stats.ok + stats.non2xx;
const cpuShare = (run) => (run.cpuSeconds === undefined ? 'n/a' : `${((100 * run.cpuSeconds) / run.stats.durationSeconds).toFixed(0)} %`);
const cpuPerRequest = (run) =>
  run.cpuSeconds === undefined ? 'n/a' : ((1000 * run.cpuSeconds) / Math.max(1, answered(run.stats))).toFixed(2);

function printRuns(...targets) {
  const rows = targets.flatMap((t) =>
    t.runs.map((run) => ({
      ...runRow(run.label, t.name, run.stats, run.rss),
      cpu: cpuShare(run),
      cpuPerRequest: cpuPerRequest(run),
      seq: run.seq,
    })),
  );
  rows.sort((a, b) => a.seq - b.seq);
  console.log(`\n${table(RUN_COLUMNS, rows)}`);
}

/** Mean figures over the measured rounds (warm-ups excluded), and per-round throughput ratios. */
function compare(service, floor) {
  const measured = (t) => t.runs.filter((r) => r.label.startsWith('round'));
  const svc = measured(service);
  const flo = measured(floor);
  const rps = (runs) => mean(runs.map((r) => r.stats.requestsPerSecond));
  const p99 = (runs) => mean(runs.map((r) => r.stats.p99));
  return {
    serviceRps: rps(svc),
    floorRps: rps(flo),
    ratio: rps(svc) / rps(flo),
    perRound: svc.map((run, i) => (run.stats.requestsPerSecond / flo[i].stats.requestsPerSecond).toFixed(2)).join(', '),
    serviceP99: p99(svc),
    floorP99: p99(flo),
    worstServiceP99: Math.max(...svc.map((r) => r.stats.p99)),
    /** non-2xx answers, socket errors and timeouts over every run of the service, warm-up included. */
    serviceFailures: service.runs.reduce((n, r) => n + r.stats.non2xx + r.stats.errors + r.stats.timeouts, 0),
  };
}

module.exports = { target, drive, printRuns, compare };
