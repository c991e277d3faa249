import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import type { DevSecrets } from '../../src/config/dev-secrets';
import { MIGRATIONS_DIR } from '../../src/database/migrator';

const RUNTIME = resolve(__dirname, '../../dist/runtime.js');

const MIGRATIONS = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

// prepareRuntime starts the embedded PostgreSQL through a native import(), which Jest's module
// sandbox cannot perform; so it runs in a child Node process, from the build `npm test` makes.
// The child prints the resolved config and what it logged, then closes the runtime on request.
const CHILD = `
const { prepareRuntime } = require(process.argv[1]);
const { loadConfig } = require(require('node:path').join(require('node:path').dirname(process.argv[1]), 'config/load-config.js'));
const lines = [];
const logger = { log: (m) => lines.push(m), warn: (m) => lines.push(m) };
prepareRuntime(loadConfig({ DATA_DIR: process.argv[2] }), logger).then((runtime) => {
  process.stdout.write(JSON.stringify({ config: runtime.config, lines }) + '\\n');
  process.stdin.once('data', () => runtime.close().then(() => process.exit(0)));
}, (error) => { console.error(error); process.exit(1); });
`;

interface Prepared {
  config: {
    databaseUrl: string;
    webhook: { secrets: string[] };
    // JSON of the child's config: the digest Buffer arrives as { type: 'Buffer', data }.
    apiClients: Array<{ name: string; scopes: string[]; tokenSha256: { data: number[] } }>;
  };
  lines: string[];
  /** Asks the child to close the runtime and waits for it to exit. */
  close(): Promise<number | null>;
}

async function prepareInChild(dataDir: string): Promise<Prepared> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['-e', CHILD, RUNTIME, dataDir], {
    env: { PATH: process.env.PATH ?? '', TZ: 'UTC' },
  });
  const exited = new Promise<number | null>((settle) => child.once('exit', settle));
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const firstLine = await new Promise<string>((resolveLine, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('\n')) resolveLine(stdout.slice(0, stdout.indexOf('\n')));
    });
    void exited.then((code) => reject(new Error(`prepareRuntime failed (exit ${code}):\n${stderr}`)));
  });
  const { config, lines } = JSON.parse(firstLine) as Pick<Prepared, 'config' | 'lines'>;
  return { config, lines, close: () => (child.stdin.write('close\n'), exited) };
}

async function appliedMigrations(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ migration_name: string }>(
      'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name',
    );
    return rows.map((row) => row.migration_name);
  } finally {
    await client.end();
  }
}

// One test, because each start of the embedded PostgreSQL costs seconds.
describe('prepareRuntime outside production, with nothing configured', () => {
  let dataDir: string;

  beforeAll(() => {
    if (!existsSync(RUNTIME))
      throw new Error(`${RUNTIME} is missing: run \`npm test\`, or \`npx tsc -p tsconfig.build.json --outDir dist\` first`);
    dataDir = mkdtempSync(join(tmpdir(), 'suki-runtime-'));
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('generates development secrets once, starts an embedded database, migrates it, and stops it on close', async () => {
    const first = await prepareInChild(dataDir);
    let closed = false;
    try {
      const secretsFile = join(dataDir, 'dev-secrets.json');
      const secrets = JSON.parse(readFileSync(secretsFile, 'utf8')) as DevSecrets & Record<string, string>;
      expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
      expect(first.config.webhook.secrets).toEqual([secrets.webhookSecret]);
      // One development client with every scope, so that a first run can try every endpoint.
      const digest = [
        ...createHash('sha256')
          .update((secrets as { internalApiToken: string }).internalApiToken)
          .digest(),
      ];
      expect(first.config.apiClients).toEqual([
        { name: 'dev', scopes: ['read', 'content', 'register', 'admin'], tokenSha256: { type: 'Buffer', data: digest } },
      ]);
      expect(new URL(first.config.databaseUrl).password).toBe(secrets.databasePassword);
      expect(await appliedMigrations(first.config.databaseUrl)).toEqual(MIGRATIONS);
      expect(first.lines).toContain(`applied migrations: ${MIGRATIONS.join(', ')}`);
      // The developer is told where the secrets are, never what they are.
      for (const secret of Object.values<string>(secrets)) expect(first.lines.join('\n')).not.toContain(secret);

      expect(await first.close()).toBe(0);
      closed = true;
      await expect(appliedMigrations(first.config.databaseUrl)).rejects.toThrow(); // the server is gone
    } finally {
      if (!closed) await first.close();
    }

    const second = await prepareInChild(dataDir);
    try {
      expect(second.config.webhook.secrets).toEqual(first.config.webhook.secrets);
      expect(second.config.apiClients).toEqual(first.config.apiClients);
      // The same data directory: the database kept its migrations, and there was nothing to apply.
      expect(await appliedMigrations(second.config.databaseUrl)).toEqual(MIGRATIONS);
      expect(second.lines.filter((line) => line.startsWith('applied migrations'))).toEqual([]);
    } finally {
      expect(await second.close()).toBe(0);
    }
  }, 60_000);
});
