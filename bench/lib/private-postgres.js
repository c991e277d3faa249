'use strict';
// A PostgreSQL cluster of the benchmark's own (initdb + pg_ctl as the `postgres` OS user), that it
// stops, restarts and freezes; the shared server is never touched. The JavaScript twin of
// test/support/private-postgres.ts (the benchmarks run plain Node, without the TypeScript toolchain).
const { execFileSync, execFile } = require('node:child_process');
const { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { promisify } = require('node:util');
const { Client } = require('pg');
const { freePort } = require('./processes');

const run = promisify(execFile);
const asPostgres = (command, args) => run('runuser', ['-u', 'postgres', '--', command, ...args], { timeout: 60_000 });

function idsOf(user) {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  const [, , uid, gid] = line.split(':');
  return [Number(uid), Number(gid)];
}

async function createPrivatePostgres() {
  const bin = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  const root = mkdtempSync(join(tmpdir(), 'bench-pg-'));
  chmodSync(root, 0o755);
  chownSync(root, ...idsOf('postgres'));
  const data = join(root, 'data');
  const port = await freePort();
  await asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  // fsync stays on: intake's commit cost is part of what is measured.
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c max_connections=60`;
  const pgCtl = (...args) => asPostgres(join(bin, 'pg_ctl'), ['-D', data, ...args]);
  const start = async () => void (await pgCtl('start', '-w', '-t', '30', '-l', join(root, 'log'), '-o', options));
  const stop = async () => void (await pgCtl('stop', '-m', 'immediate', '-w').catch(() => undefined));
  const signal = async (name) => {
    const postmaster = readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0].trim();
    const { stdout } = await run('pgrep', ['-P', postmaster]).catch(() => ({ stdout: '' }));
    for (const pid of [postmaster, ...stdout.split('\n').filter(Boolean)]) {
      try {
        process.kill(Number(pid), name);
      } catch {
        // a backend that has just exited
      }
    }
  };
  const url = `postgresql://postgres@127.0.0.1:${port}/suki`;
  const query = async (sql, params) => {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query(sql, params)).rows;
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
    start,
    stop,
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    query,
    async destroy() {
      await signal('SIGCONT').catch(() => undefined);
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

module.exports = { createPrivatePostgres };
