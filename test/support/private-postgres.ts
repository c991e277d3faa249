import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of the test's own, made with the machine's binaries, that the test may
 * stop, restart and freeze (SIGSTOP) at will; the shared server is never touched. Tests run as
 * root, and PostgreSQL refuses to: every server command runs as the `postgres` OS user.
 */
export interface PrivatePostgres {
  /** postgresql://postgres@127.0.0.1:<port>/suki — the database the service uses. */
  url: string;
  port: number;
  start(): Promise<void>;
  /** An immediate stop, as a crash or failover looks to clients. */
  stop(): Promise<void>;
  /** SIGSTOP to the postmaster and every backend: connections stay open and nothing answers. */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  destroy(): Promise<void>;
}

async function binDir(): Promise<string> {
  const { stdout } = await run('pg_config', ['--bindir']);
  return stdout.trim();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function asPostgres(command: string, args: string[]): Promise<string> {
  const { stdout } = await run('runuser', ['-u', 'postgres', '--', command, ...args], { timeout: 60_000 });
  return stdout;
}

export async function createPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = await binDir();
  const root = mkdtempSync(join(tmpdir(), 'private-pg-'));
  chmodSync(root, 0o755);
  chownSync(root, uidOf('postgres'), gidOf('postgres'));
  const data = join(root, 'data');
  const port = await freePort();
  await asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const pgCtl = (...args: string[]) => asPostgres(join(bin, 'pg_ctl'), ['-D', data, ...args]);
  const start = async () => void (await pgCtl('start', '-w', '-t', '30', '-l', join(root, 'log'), '-o', options));
  const stop = async () => void (await pgCtl('stop', '-m', 'immediate', '-w').catch(() => undefined));
  const pids = async () => {
    const postmaster = readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0].trim();
    const { stdout } = await run('pgrep', ['-P', postmaster]).catch(() => ({ stdout: '' }));
    return [postmaster, ...stdout.split('\n').filter(Boolean)].map(Number);
  };
  const signal = async (name: NodeJS.Signals) => {
    for (const pid of await pids()) {
      try {
        process.kill(pid, name);
      } catch {
        // a backend that has just exited
      }
    }
  };
  const url = `postgresql://postgres@127.0.0.1:${port}/suki`;
  const query = async <T>(sql: string, params?: unknown[]): Promise<T[]> => {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query(sql, params as unknown[])).rows as T[];
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  await start();
  const admin = new Client({ connectionString: `postgresql://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query('CREATE DATABASE suki');
  await admin.end();

  return {
    url,
    port,
    start,
    stop,
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    query,
    destroy: async () => {
      await signal('SIGCONT').catch(() => undefined);
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function uidOf(user: string): number {
  return Number(
    readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((line) => line.startsWith(`${user}:`))!
      .split(':')[2],
  );
}

function gidOf(user: string): number {
  return Number(
    readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((line) => line.startsWith(`${user}:`))!
      .split(':')[3],
  );
}
