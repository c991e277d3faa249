import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/service-process';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * A typo in NODE_ENV used to mean development: with a real DATABASE_URL and no Suki settings,
 * the compiled service started the Suki API simulator and stored its made-up note as the real
 * session's. Now it does not start at all, and says why in one line.
 */
describe('NODE_ENV other than production, development or test', () => {
  let db: TestDatabase;
  let dataDir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'suki-node-env-'));
  });

  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await db?.drop();
  });

  it.each(['prod', 'staging'])('NODE_ENV=%s stops the compiled service at boot, in one line, having started nothing', async (nodeEnv) => {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [join(REPO_ROOT, 'dist/main.js')],
        { env: { PATH: process.env.PATH ?? '', NODE_ENV: nodeEnv, DATABASE_URL: db.url, DATA_DIR: dataDir, PORT: '0' }, timeout: 30_000 },
        (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
      );
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`NODE_ENV="${nodeEnv}" is not one of production, development, test (or unset): refusing to start\n`);
    expect(result.stdout).not.toMatch(/ready:|simulator/i);
    // Nothing was started or written: no migrations, no development secrets, no simulator.
    expect(readdirSync(dataDir)).toEqual([]);
    expect(await db.query(`SELECT count(*)::int AS n FROM sessions`)).toEqual([{ n: 0 }]);
  });
});
