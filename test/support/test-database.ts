import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { withDatabase } from './database-url';

export interface TestDatabase {
  url: string;
  /** A plain pg client on the test database, for what the API does not show. Rows are untyped unless T names their columns. */
  query: <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;
  drop(): Promise<void>;
}

/**
 * A fresh, fully migrated database for one test file: a copy of the template that
 * global-setup migrated once, so no test sees another's rows.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_ADMIN_URL;
  const template = process.env.TEST_TEMPLATE_DB;
  if (!adminUrl || !template) throw new Error('test database not prepared: run the tests through jest (global-setup)');
  return createDatabaseOn(adminUrl, `${template}_${randomBytes(4).toString('hex')}`, `TEMPLATE "${template}"`);
}

/** Creates database `name` on the admin URL's server (with `options`, e.g. a template) and opens it. */
export async function createDatabaseOn(adminUrl: string, name: string, options = ''): Promise<TestDatabase> {
  await asAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE "${name}" ${options}`));
  const url = withDatabase(adminUrl, name);
  const client = new Client({ connectionString: url });
  // A test that cuts the database's connections must not crash the test file.
  client.on('error', () => undefined);
  await client.connect();
  return {
    url,
    query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
    drop: async () => {
      await client.end().catch(() => undefined);
      await asAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).catch(() => undefined);
    },
  };
}

async function asAdmin(adminUrl: string, work: (admin: Client) => Promise<unknown>): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await work(admin);
  } finally {
    await admin.end();
  }
}
