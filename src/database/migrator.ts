import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

/** Where `prisma migrate` keeps migrations; the same files serve both appliers. */
export const MIGRATIONS_DIR = resolve(__dirname, '../../prisma/migrations');

/** The advisory lock key `prisma migrate deploy` takes, so the two appliers exclude each other. */
const PRISMA_MIGRATE_LOCK = 72707369;

export interface Migration {
  name: string;
  sql: string;
  /** sha256 hex of the file, as Prisma records it. */
  checksum: string;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(join(dir, name, 'migration.sql'));
      return { name, sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') };
    }),
  );
}

// The bookkeeping table exactly as `prisma migrate deploy` creates it.
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/**
 * Applies pending migrations in name order and records each in `_prisma_migrations` as
 * `prisma migrate deploy` would, so either applier can be used on the same database later.
 * Returns the names it applied. A failed migration is left recorded as failed (finished_at
 * null, logs set), and later runs refuse to continue until an operator resolves it, as Prisma does.
 */
export async function applyMigrations(databaseUrl: string, dir = MIGRATIONS_DIR, connectTimeoutMs = 10_000): Promise<string[]> {
  const migrations = await readMigrations(dir);
  // A bounded connect: a database that hangs must not hang the boot (runtime.ts) or the
  // background migration (database-startup.ts). The advisory lock itself may wait: another
  // replica is migrating.
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: connectTimeoutMs });
  client.on('error', () => undefined); // a connection lost between queries fails the query that follows
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
    );
    const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
    if (failed) {
      throw new MigrationError(
        `migration ${failed.migration_name} failed earlier and is not resolved; fix the database, then run ` +
          `\`npx prisma migrate resolve --rolled-back ${failed.migration_name}\` (or --applied) and start again`,
      );
    }
    const done = new Set(rows.filter((row) => row.finished_at !== null).map((row) => row.migration_name));
    const applied: string[] = [];
    for (const migration of migrations.filter((m) => !done.has(m.name))) {
      await applyOne(client, migration);
      applied.push(migration.name);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]).catch(() => undefined);
    await client.end();
  }
}

async function applyOne(client: Client, migration: Migration): Promise<void> {
  const id = randomUUID();
  await client.query(
    'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
    [id, migration.checksum, migration.name],
  );
  try {
    // One transaction per migration: a failure leaves the schema as it was before the file.
    await client.query(`BEGIN;\n${migration.sql}\n;COMMIT;`);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    await client.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [id, reason]);
    throw new MigrationError(`migration ${migration.name} failed: ${reason}`);
  }
  await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
}

/** Names of migrations in `dir` that the database has not finished applying. */
export async function pendingMigrations(
  query: (sql: string) => Promise<Array<Record<string, unknown>>>,
  dir = MIGRATIONS_DIR,
): Promise<string[]> {
  const migrations = await readMigrations(dir);
  // A database never migrated has no bookkeeping table yet: everything is pending.
  const [table] = await query(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`);
  const rows = table?.present
    ? await query('SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL')
    : [];
  const done = new Set(rows.map((row) => row.migration_name));
  return migrations.map((m) => m.name).filter((name) => !done.has(name));
}
