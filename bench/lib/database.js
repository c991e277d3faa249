'use strict';
// The PostgreSQL server the benchmark runs on: the machine's own when reachable, else the
// embedded one the service ships (compiled into dist/). Service and floors share it.
const { join } = require('node:path');
const { Client } = require('pg');

async function tryConnect(url) {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Returns { adminUrl, kind, urlFor(name), stop() }. */
async function openServer(settings) {
  if (await tryConnect(settings.adminUrl)) {
    return {
      adminUrl: settings.adminUrl,
      kind: 'local',
      urlFor: (name) => withDatabase(settings.adminUrl, name),
      stop: async () => undefined,
    };
  }
  const { startEmbeddedDatabase } = require(join(settings.repoRoot, 'dist/database/embedded-database.js'));
  const embedded = await startEmbeddedDatabase({ dataDir: settings.embeddedDataDir, password: 'bench', database: 'postgres' });
  return { adminUrl: embedded.url, kind: 'embedded', urlFor: (name) => withDatabase(embedded.url, name), stop: () => embedded.stop() };
}

function withDatabase(url, name) {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function withClient(url, work) {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function quoted(name) {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  return `"${name}"`;
}

const createDatabase = (server, name) => withClient(server.adminUrl, (c) => c.query(`CREATE DATABASE ${quoted(name)}`));
const dropDatabase = (server, name) => withClient(server.adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${quoted(name)} WITH (FORCE)`));
const databaseExists = (server, name) =>
  withClient(server.adminUrl, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount > 0);

/** Flushes dirty pages before a run, so no run inherits the previous one's checkpoint. */
const checkpoint = (server) => withClient(server.adminUrl, (c) => c.query('CHECKPOINT')).catch(() => undefined);

module.exports = { openServer, withClient, createDatabase, dropDatabase, databaseExists, checkpoint };
