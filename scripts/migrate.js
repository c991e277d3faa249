#!/usr/bin/env node
// @ts-check
'use strict';
// npm run db:migrate — apply pending migrations; npm run db:status — list each migration as
// applied, pending or failed. Both use the service's own applier (src/database/migrator.ts,
// compiled into dist/ by npm run build) against DATABASE_URL, from the environment or a .env
// file in the working directory, without starting the service. The applier takes the advisory
// lock `prisma migrate deploy` takes and records `_prisma_migrations` as Prisma does, so this,
// the service's MIGRATE_ON_START and `npx prisma migrate deploy` can be mixed on one database.
//
// Exit codes: 0 done (status: nothing pending or failed), 1 a migration failed, is pending or
// the database could not be reached, 2 a usage error (no DATABASE_URL, no dist/).
const { existsSync } = require('node:fs');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
const MIGRATOR = join(ROOT, 'dist/database/migrator.js');
const USAGE = 'usage: node scripts/migrate.js apply|status   (npm run db:migrate, npm run db:status)';

class UsageError extends Error {}

function databaseUrl() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const url = process.env.DATABASE_URL?.trim();
  if (!url) {
    throw new UsageError(
      'DATABASE_URL is not set (environment or .env); the embedded development database is migrated by the service itself at start',
    );
  }
  return url;
}

/** host:port/database, never the password. */
function describe(url) {
  try {
    const { hostname, port, pathname } = new URL(url);
    return `${hostname}:${port || 5432}${pathname}`;
  } catch {
    throw new UsageError('DATABASE_URL is not a URL');
  }
}

function migrator() {
  if (!existsSync(MIGRATOR)) throw new UsageError('dist/ is not built: run npm run build first');
  return require(MIGRATOR);
}

async function apply(url) {
  const applied = await migrator().applyMigrations(url);
  if (applied.length === 0) {
    process.stdout.write(`nothing to apply: every migration is applied (${describe(url)})\n`);
  } else {
    for (const name of applied) process.stdout.write(`applied  ${name}\n`);
    process.stdout.write(`${applied.length} migration(s) applied (${describe(url)})\n`);
  }
  return 0;
}

/** The latest record of each migration name, as Prisma keeps them (a retried one has several). */
async function recorded(url) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const [{ present }] = (await client.query(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`)).rows;
    if (!present) return new Map();
    const { rows } = await client.query(
      'SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM "_prisma_migrations" ORDER BY started_at, id',
    );
    return new Map(rows.map((row) => [row.migration_name, row]));
  } finally {
    await client.end();
  }
}

async function status(url) {
  const { readMigrations } = migrator();
  const files = await readMigrations();
  const rows = await recorded(url);
  const counts = { applied: 0, pending: 0, failed: 0 };
  const line = (state, at, name, note = '') => process.stdout.write(`${state.padEnd(8)} ${at.padEnd(24)} ${name}${note}\n`);
  for (const file of files) {
    const row = rows.get(file.name);
    if (row?.finished_at && !row.rolled_back_at) {
      counts.applied++;
      line(
        'applied',
        row.finished_at.toISOString(),
        file.name,
        row.checksum === file.checksum ? '' : '  (the file changed after it was applied)',
      );
    } else if (row && !row.finished_at && !row.rolled_back_at) {
      counts.failed++;
      const reason = String(row.logs ?? '')
        .split('\n', 1)[0]
        .slice(0, 200);
      line('failed', '', file.name, reason ? `  ${reason}` : '');
    } else {
      counts.pending++;
      line('pending', '', file.name);
    }
  }
  const known = new Set(files.map((file) => file.name));
  for (const [name, row] of rows) {
    if (known.has(name) || row.rolled_back_at) continue;
    // A migration of another checkout: applied, or failed (which blocks every applier here too).
    if (!row.finished_at) counts.failed++;
    line(
      row.finished_at ? 'applied' : 'failed',
      row.finished_at?.toISOString() ?? '',
      name,
      '  (recorded in the database, not in prisma/migrations)',
    );
  }
  process.stdout.write(`${counts.applied} applied, ${counts.pending} pending, ${counts.failed} failed (${describe(url)})\n`);
  if (counts.failed > 0) {
    process.stdout.write(
      'a failed migration blocks every applier: fix the database, then npx prisma migrate resolve --rolled-back <name> (or --applied)\n',
    );
  }
  return counts.pending + counts.failed === 0 ? 0 : 1;
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (rest.length > 0 || !['apply', 'status'].includes(command ?? '')) throw new UsageError(USAGE);
  const url = databaseUrl();
  describe(url);
  return command === 'apply' ? apply(url) : status(url);
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
