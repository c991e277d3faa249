import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createEmptyDatabase } from '../support/empty-database';
import { introspectDatabase } from '../support/schema-introspection';
import { TestDatabase } from '../support/test-database';
import { waitFor } from '../support/waiting';
import { applyMigrations, MIGRATIONS_DIR, MigrationError, pendingMigrations } from '../../src/database/migrator';

// The key `prisma migrate deploy` locks: holding it must hold back our applier too.
const PRISMA_MIGRATE_LOCK = 72707369;

const MIGRATIONS = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

const sha256Of = (dir: string, name: string) =>
  createHash('sha256')
    .update(readFileSync(join(dir, name, 'migration.sql')))
    .digest('hex');

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  for (const [name, sql] of Object.entries(files)) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

describe('applyMigrations', () => {
  let db: TestDatabase;
  /** A row of Prisma's bookkeeping table, as pg returns it. */
  interface MigrationRow {
    id: string;
    checksum: string;
    migration_name: string;
    logs: string | null;
    started_at: Date;
    finished_at: Date | null;
    rolled_back_at: Date | null;
    applied_steps_count: number;
  }
  const rows = () => db.query<MigrationRow>('SELECT * FROM "_prisma_migrations" ORDER BY started_at, migration_name');
  const tableExists = async (name: string) =>
    (await db.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [name]))[0].found;

  beforeEach(async () => {
    db = await createEmptyDatabase();
  });

  afterEach(() => db.drop());

  it('applies every migration in name order and records each exactly as prisma migrate deploy does', async () => {
    // Before the first run there is no bookkeeping table: everything is pending.
    expect(await pendingMigrations(db.query)).toEqual(MIGRATIONS);
    expect(await applyMigrations(db.url)).toEqual(MIGRATIONS);

    const recorded = await rows();
    expect(recorded.map((row) => row.migration_name)).toEqual(MIGRATIONS);
    for (const row of recorded) {
      expect(row).toMatchObject({
        checksum: sha256Of(MIGRATIONS_DIR, row.migration_name),
        applied_steps_count: 1,
        rolled_back_at: null,
        logs: null,
      });
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
    }
    // The bookkeeping table is Prisma's own, column for column, so `prisma migrate` can take over.
    const { tables } = await introspectDatabase(db.query);
    expect(tables.get('_prisma_migrations')!.map(({ name, type, notNull, default: dflt }) => [name, type, notNull, dflt])).toEqual([
      ['id', 'character varying(36)', true, null],
      ['checksum', 'character varying(64)', true, null],
      ['finished_at', 'timestamp with time zone', false, null],
      ['migration_name', 'character varying(255)', true, null],
      ['logs', 'text', false, null],
      ['rolled_back_at', 'timestamp with time zone', false, null],
      ['started_at', 'timestamp with time zone', true, 'now()'],
      ['applied_steps_count', 'integer', true, '0'],
    ]);
  });

  it('applies nothing when run again', async () => {
    await applyMigrations(db.url);
    const before = await rows();

    expect(await applyMigrations(db.url)).toEqual([]);
    expect(await rows()).toEqual(before);
  });

  it('waits for the migration lock, so concurrent runs apply each migration exactly once', async () => {
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
      const runs = Promise.allSettled([applyMigrations(db.url), applyMigrations(db.url)]);
      const waiting = async () =>
        (
          await db.query(
            `SELECT count(*)::int AS n FROM pg_locks
             WHERE locktype = 'advisory' AND objid = $1 AND NOT granted
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
            [PRISMA_MIGRATE_LOCK],
          )
        )[0].n === 2;
      // Bounded: a run that never gets there fails the test.
      await waitFor(waiting, 'both runs to wait for the migration lock', 15_000, 25);
      // Both are blocked on the key prisma migrate uses, and have touched nothing yet.
      expect(await tableExists('_prisma_migrations')).toBe(false);

      await holder.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]);
      const results = await runs;
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
      const applied = results.map((r) => (r as PromiseFulfilledResult<string[]>).value);
      expect(applied).toEqual(expect.arrayContaining([MIGRATIONS, []]));
      expect((await rows()).map((row) => row.migration_name)).toEqual(MIGRATIONS);
    } finally {
      await holder.end();
    }
  });

  it('records a failed migration, leaves its changes out, and refuses to go on until it is resolved', async () => {
    const dir = migrationsDir({
      '20260101000000_good': 'CREATE TABLE good_table (id int);',
      '20260101000100_bad': 'CREATE TABLE bad_table (id int);\nINSERT INTO missing_table VALUES (1);',
    });
    try {
      const error = await applyMigrations(db.url, dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as Error).message).toBe('migration 20260101000100_bad failed: relation "missing_table" does not exist');
      expect(await tableExists('good_table')).toBe(true);
      expect(await tableExists('bad_table')).toBe(false); // the whole file rolled back
      const [good, bad] = await rows();
      expect(good).toMatchObject({ migration_name: '20260101000000_good', applied_steps_count: 1, rolled_back_at: null });
      expect(good.finished_at).toBeInstanceOf(Date);
      expect(bad).toMatchObject({ migration_name: '20260101000100_bad', finished_at: null, rolled_back_at: null, applied_steps_count: 0 });
      expect(bad.checksum).toBe(sha256Of(dir, '20260101000100_bad'));
      expect(bad.logs).toContain('relation "missing_table" does not exist');

      // Fixing the file is not enough: an operator must say what became of the failed attempt.
      writeFileSync(join(dir, '20260101000100_bad', 'migration.sql'), 'CREATE TABLE bad_table (id int);');
      await expect(applyMigrations(db.url, dir)).rejects.toThrow(
        new MigrationError(
          'migration 20260101000100_bad failed earlier and is not resolved; fix the database, then run ' +
            '`npx prisma migrate resolve --rolled-back 20260101000100_bad` (or --applied) and start again',
        ),
      );
      expect(await tableExists('bad_table')).toBe(false);
      expect(await pendingMigrations(db.query, dir)).toEqual(['20260101000100_bad']);

      // What `prisma migrate resolve --rolled-back` writes; the next run then retries the file.
      await db.query(`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '20260101000100_bad'`);
      expect(await applyMigrations(db.url, dir)).toEqual(['20260101000100_bad']);
      expect(await tableExists('bad_table')).toBe(true);
      expect(await pendingMigrations(db.query, dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports pending migrations, and applies only those', async () => {
    const [first, ...rest] = MIGRATIONS;
    const older = mkdtempSync(join(tmpdir(), 'migrations-'));
    try {
      cpSync(join(MIGRATIONS_DIR, first), join(older, first), { recursive: true });
      expect(await applyMigrations(db.url, older)).toEqual([first]);

      expect(await pendingMigrations(db.query)).toEqual(rest);
      expect(await applyMigrations(db.url)).toEqual(rest);
      expect(await pendingMigrations(db.query)).toEqual([]);
      expect((await rows()).map((row) => row.migration_name)).toEqual(MIGRATIONS);
    } finally {
      rmSync(older, { recursive: true, force: true });
    }
  });
});
