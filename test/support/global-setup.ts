import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedDatabase } from '../../src/database/embedded-database';
import { applyMigrations } from '../../src/database/migrator';
import { withDatabase } from './database-url';

/**
 * Runs once per `npm test`: finds the database server (TEST_DATABASE_URL, whose database name
 * must end in _test, or an embedded PostgreSQL), migrates a template database once, and lets
 * every test file clone it (see test-database.ts).
 */
export default async function globalSetup(): Promise<void> {
  process.stdout.write(`\nTests run on Node ${process.version} (${process.execPath})\n`);
  process.env.TZ = 'UTC';
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const name = new URL(adminUrl).pathname.slice(1);
    if (!name.endsWith('_test')) throw new Error(`TEST_DATABASE_URL must name a database ending in _test (got "${name}")`);
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), 'suki-test-db-'));
    const embedded = await startEmbeddedDatabase({ dataDir, password: 'test', database: 'suki_test' });
    (globalThis as { __EMBEDDED_DB__?: unknown }).__EMBEDDED_DB__ = embedded;
    adminUrl = embedded.url;
  }
  const base = new URL(adminUrl).pathname.slice(1);
  const template = `${base}_tpl_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${template}"`);
    await admin.query(`CREATE DATABASE "${template}"`);
  } finally {
    await admin.end();
  }
  await applyMigrations(withDatabase(adminUrl, template));
  process.env.TEST_ADMIN_URL = adminUrl;
  process.env.TEST_TEMPLATE_DB = template;
}
