import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { withDatabase } from './database-url';
import { TestDatabase } from './test-database';

/**
 * A new database with nothing in it, on the test server: for tests of the migration applier,
 * which must start where production starts (createTestDatabase() hands out migrated copies).
 */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_ADMIN_URL;
  if (!adminUrl) throw new Error('test database server not prepared: run the tests through jest (global-setup)');
  const name = `${new URL(adminUrl).pathname.slice(1)}_empty_${randomBytes(4).toString('hex')}`;
  await asAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE "${name}"`));
  const url = withDatabase(adminUrl, name);
  const client = new Client({ connectionString: url });
  // A test that fails before drop() leaves this open; the server closing it must not crash Jest.
  client.on('error', () => undefined);
  await client.connect();
  return {
    url,
    query: async (sql, params) => (await client.query(sql, params as unknown[])).rows,
    drop: async () => {
      await client.end().catch(() => undefined);
      await asAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
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
