import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS_DIR } from '../../src/database/migrator';
import { createEmptyDatabase } from '../support/empty-database';
import { npmRun, REPO_ROOT } from '../support/service-process';
import { TestDatabase } from '../support/test-database';

interface Exit {
  code: number;
  stdout: string;
  stderr: string;
}

const MIGRATIONS = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

/** `npm run <script>` as an operator types it, with only the environment given (plus PATH). */
function npm(script: 'db:migrate' | 'db:status', env: Record<string, string>): Promise<Exit> {
  const { command, args, cwd } = npmRun(script);
  return new Promise((resolve) => {
    execFile(
      command,
      [...args, '--silent'],
      { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

/** The script itself, from a directory with no .env (the checkout's own might name a database). */
function script(command: string, env: Record<string, string>): Promise<Exit> {
  const cwd = mkdtempSync(join(tmpdir(), 'suki-db-scripts-'));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'scripts/migrate.js'), command],
      { cwd, env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) => {
        rmSync(cwd, { recursive: true, force: true });
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** The state column `npm run db:status` printed for each migration, by name. */
function states(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .split('\n')
      .map((line) => /^(applied|pending|failed)\s+(?:\S+\s+)?(\d{14}_\w+)/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => [match[2], match[1]]),
  );
}

/** `npm run db:migrate` and `npm run db:status`: the built-in applier, without starting the service. */
describe('npm run db:migrate and npm run db:status', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createEmptyDatabase();
  });

  afterAll(() => db?.drop());

  it('lists every migration as pending on a new database, applies them all, then lists them applied', async () => {
    expect(MIGRATIONS.length).toBeGreaterThan(0);
    const env = { DATABASE_URL: db.url };

    const before = await npm('db:status', env);
    expect(before.code).toBe(1); // pending migrations: a deploy script can gate on it
    expect(states(before.stdout)).toEqual(Object.fromEntries(MIGRATIONS.map((name) => [name, 'pending'])));
    expect(before.stdout).toContain(`0 applied, ${MIGRATIONS.length} pending, 0 failed`);

    const migrate = await npm('db:migrate', env);
    expect(migrate).toMatchObject({ code: 0, stderr: '' });
    expect(migrate.stdout).toContain(`${MIGRATIONS.length} migration(s) applied`);
    const recorded = await db.query<{ migration_name: string }>(
      'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name',
    );
    expect(recorded.map((row) => row.migration_name)).toEqual(MIGRATIONS);

    const after = await npm('db:status', env);
    expect(after.code).toBe(0);
    expect(states(after.stdout)).toEqual(Object.fromEntries(MIGRATIONS.map((name) => [name, 'applied'])));
    expect(after.stdout).toContain(`${MIGRATIONS.length} applied, 0 pending, 0 failed`);

    const again = await npm('db:migrate', env);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toContain('nothing to apply');
  });

  it('reports a failed migration, and db:migrate refuses to go on until it is resolved', async () => {
    const failed = '29991231000000_failed_elsewhere';
    await db.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs) VALUES ($1, $2, $3, $4)`, [
      'failed-elsewhere',
      '0'.repeat(64),
      failed,
      'relation "nowhere" does not exist',
    ]);
    try {
      const status = await npm('db:status', { DATABASE_URL: db.url });
      expect(status.code).toBe(1);
      expect(states(status.stdout)[failed]).toBe('failed');
      expect(status.stdout).toContain(`${MIGRATIONS.length} applied, 0 pending, 1 failed`);

      const migrate = await npm('db:migrate', { DATABASE_URL: db.url });
      expect(migrate.code).toBe(1);
      expect(migrate.stderr).toContain(`npx prisma migrate resolve --rolled-back ${failed}`);
    } finally {
      await db.query(`DELETE FROM "_prisma_migrations" WHERE id = 'failed-elsewhere'`);
    }
  });

  it('names what is missing instead of guessing a database, and never prints the password', async () => {
    const missing = await script('status', {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('DATABASE_URL is not set');
    const usage = await script('rollback', { DATABASE_URL: db.url });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: node scripts/migrate.js apply|status');

    const withPassword = new URL(db.url);
    withPassword.password = 'not-the-password-0123';
    const refused = await npm('db:status', { DATABASE_URL: withPassword.toString() });
    const unreachable = await npm('db:status', { DATABASE_URL: 'postgresql://u:secret-password-0123@127.0.0.1:1/nowhere' });
    expect(unreachable.code).toBe(1);
    for (const exit of [refused, unreachable]) {
      expect(`${exit.stdout}${exit.stderr}`).not.toMatch(/not-the-password-0123|secret-password-0123/);
    }
  });
});
