import { randomBytes } from 'node:crypto';
import { createDatabaseOn, TestDatabase } from './test-database';

/**
 * A new database with nothing in it, on the test server: for tests of the migration applier,
 * which must start where production starts (createTestDatabase() hands out migrated copies).
 */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_ADMIN_URL;
  if (!adminUrl) throw new Error('test database server not prepared: run the tests through jest (global-setup)');
  return createDatabaseOn(adminUrl, `${new URL(adminUrl).pathname.slice(1)}_empty_${randomBytes(4).toString('hex')}`);
}
