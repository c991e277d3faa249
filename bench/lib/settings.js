'use strict';
// Every knob of the benchmark, read from the environment once.
const { join, resolve } = require('node:path');
const { tmpdir } = require('node:os');

function number(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
  return value;
}

function flag(name, fallback) {
  const raw = (process.env[name] ?? '').toLowerCase();
  if (raw === '') return fallback;
  return ['1', 'true', 'yes'].includes(raw);
}

/** PREFIX_X=v variables as { X: v }. */
function prefixed(prefix) {
  return Object.fromEntries(
    Object.entries(process.env)
      .filter(([name]) => name.startsWith(prefix))
      .map(([name, value]) => [name.slice(prefix.length), value]),
  );
}

const repoRoot = resolve(__dirname, '../..');

module.exports = {
  repoRoot,
  distMain: join(repoRoot, 'dist/main.js'),
  /** Seconds of load per measured run, and of the warm-up before the first round. */
  duration: number('BENCH_DURATION', 8),
  warmup: number('BENCH_WARMUP', 3),
  /** Measured rounds; each round drives the service, then the floor (A B A B). */
  rounds: number('BENCH_ROUNDS', 2),
  connections: number('BENCH_CONNECTIONS', 32),
  /** Upper bound on waiting for background retrieval to finish between runs. */
  drainTimeoutSeconds: number('BENCH_DRAIN_TIMEOUT', 120),
  /** Stop waiting early when the pending count has not moved for this long (no worker). */
  drainStallSeconds: number('BENCH_DRAIN_STALL', 15),
  /** The PostgreSQL server to create benchmark databases on (the embedded one if unreachable). */
  adminUrl: process.env.BENCH_ADMIN_URL || 'postgresql://postgres@127.0.0.1:5432/postgres',
  embeddedDataDir: process.env.BENCH_EMBEDDED_DIR || join(tmpdir(), 'suki-bench-postgres'),
  /** Compile the service first (tsc into dist/); BENCH_BUILD=0 runs the dist/ already there. */
  build: flag('BENCH_BUILD', true),
  keepDatabase: flag('BENCH_KEEP_DB', false),
  /**
   * Another checkout of the service (its dist/ built) to drive in the same run, on a database of
   * its own: intake then also reports this build against that one, round by round.
   */
  baselineDir: process.env.BENCH_BASELINE_DIR ? resolve(process.env.BENCH_BASELINE_DIR) : undefined,
  /** Write a CPU profile of each server and print where its time went. */
  profile: flag('BENCH_PROFILE', false),
  /** Exit non-zero when a target is missed (data loss always exits non-zero). */
  strict: flag('BENCH_STRICT', false),
  lookupSessions: number('BENCH_SESSIONS', 1_000_000),
  lookupDatabase: process.env.BENCH_LOOKUP_DB || 'suki_bench_lookup',
  reseed: flag('BENCH_RESEED', false),
  /** BENCH_SERVICE_X=v starts the service with X=v too (e.g. BENCH_SERVICE_RETRIEVAL_ENABLED=false), the baseline as well. */
  serviceEnv: prefixed('BENCH_SERVICE_'),
  /** BENCH_BASELINE_SERVICE_X=v: X=v for the baseline only, on top (two settings of one build, paired). */
  baselineEnv: prefixed('BENCH_BASELINE_SERVICE_'),
  logDir: process.env.BENCH_LOG_DIR || join(tmpdir(), `suki-bench-${process.pid}`),
  /** Fixed benchmark credentials: never real ones. */
  webhookSecret: 'bench-webhook-secret-not-for-production',
  internalToken: 'bench-internal-token-not-for-production',
  sukiToken: 'bench-suki-token-not-for-production',
};
