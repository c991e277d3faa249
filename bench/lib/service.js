'use strict';
// Building and starting the real service (dist/main.js, production mode) and its fake Ambient API.
const { spawnSync } = require('node:child_process');
const { existsSync, mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { freePort, startServer } = require('./processes');

/**
 * Compiles src/ into dist/ as `npm test` does (prepare + tsc, without emptying dist/ first, so
 * nothing else using dist/ loses it mid-run). BENCH_BUILD=0 uses the dist/ already there.
 */
function buildService(settings) {
  if (settings.build) {
    for (const [command, args] of [
      ['bash', ['scripts/prepare.sh']],
      [process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json']],
    ]) {
      const result = spawnSync(command, args, { cwd: settings.repoRoot, stdio: 'inherit' });
      if (result.status !== 0) throw new Error(`build failed: ${command} ${args.join(' ')} exited with ${result.status}`);
    }
  }
  if (!existsSync(settings.distMain)) throw new Error(`${settings.distMain} is missing: run npm run build (or drop BENCH_BUILD=0)`);
}

async function startFakeSukiApi(settings) {
  const port = await freePort();
  const server = await startServer({
    name: 'fake-suki-api',
    script: join(__dirname, '../servers/fake-suki-api.js'),
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      SUKI_TOKEN: settings.sukiToken,
      LATENCY_MS: String(settings.sukiLatencyMs ?? 0),
      SESSION_STATUS: settings.sukiSessionStatus ?? 'completed',
      CONCURRENCY_LIMIT: String(settings.sukiConcurrencyLimit ?? 0),
    },
    logDir: settings.logDir,
    readyUrl: `http://127.0.0.1:${port}/__stats`,
  });
  const url = `http://127.0.0.1:${port}`;
  return { ...server, url, stats: async () => (await fetch(`${url}/__stats`)).json() };
}

/**
 * The service as production runs it: every required variable set explicitly, nothing inherited
 * but BENCH_SERVICE_* overrides.
 */
async function startService(settings, { databaseUrl, sukiApiUrl, name = 'service', repoRoot = settings.repoRoot, extraEnv = {} }) {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TZ: 'UTC',
    NODE_ENV: 'production',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    SUKI_WEBHOOK_SECRETS: settings.webhookSecret,
    INTERNAL_API_TOKENS: settings.internalToken,
    SUKI_API_TOKEN: settings.sukiToken,
    SUKI_API_BASE_URL: sukiApiUrl,
    LOG_LEVEL: 'warn',
    MIGRATE_ON_START: 'true',
    // A spool of its own per run, off the repository (the default would be ./.data/spool).
    SPOOL_DIR: mkdtempSync(join(tmpdir(), `suki-bench-spool-${name}-`)),
    ...settings.serviceEnv,
    ...extraEnv,
  };
  const server = await startServer({
    name,
    script: join(repoRoot, 'dist/main.js'),
    cwd: repoRoot,
    env,
    logDir: settings.logDir,
    readyUrl: `http://127.0.0.1:${port}/health/live`,
    profile: settings.profile,
  });
  return { ...server, url: `http://127.0.0.1:${port}` };
}

/** A floor server (bench/servers/<script>) with its own environment. */
async function startFloor(settings, { script, name, env }) {
  const port = await freePort();
  const server = await startServer({
    name,
    script: join(__dirname, '../servers', script),
    env: { PATH: process.env.PATH, PORT: String(port), ...env },
    logDir: settings.logDir,
    // Any answer (a 404) shows it is listening.
    readyUrl: `http://127.0.0.1:${port}/`,
    profile: settings.profile,
  });
  return { ...server, url: `http://127.0.0.1:${port}` };
}

module.exports = { buildService, startFakeSukiApi, startService, startFloor };
