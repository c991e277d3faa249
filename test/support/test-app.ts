import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { AddressInfo } from 'node:net';
import { createApplication } from '../../src/app.setup';
import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';

export const TEST_WEBHOOK_SECRET = 'test-partner-secret-key-not-for-production';
export const TEST_INTERNAL_TOKEN = 'test-internal-token';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  /** http://127.0.0.1:<port> of the running server. */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * The production application (same module, same configureApp) on an ephemeral port, with the
 * environment given: tests speak to it over real HTTP.
 */
export async function startTestApp(databaseUrl: string, env: Record<string, string> = {}): Promise<TestApp> {
  const spoolDir = mkdtempSync(join(tmpdir(), 'test-spool-'));
  const config = loadConfig({
    SUKI_WEBHOOK_SECRETS: TEST_WEBHOOK_SECRET,
    INTERNAL_API_TOKENS: TEST_INTERNAL_TOKEN,
    SUKI_API_TOKEN: 'test-suki-token',
    SUKI_API_BASE_URL: 'http://127.0.0.1:9',
    // Nothing answers on port 9: retrieval runs only in tests that point it at a fake Suki,
    // so tests of intake and queries see artifacts exactly as intake wrote them.
    RETRIEVAL_ENABLED: env.SUKI_API_BASE_URL ? 'true' : 'false',
    LOG_LEVEL: 'warn',
    // A spool of the test's own: a shared one would drain one test's notifications into another's database.
    SPOOL_DIR: spoolDir,
    ...env,
    DATABASE_URL: databaseUrl,
    MIGRATE_ON_START: 'false',
  });
  const app = await createApplication(config, ['error']);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    config,
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      await app.close();
      rmSync(spoolDir, { recursive: true, force: true });
    },
  };
}
