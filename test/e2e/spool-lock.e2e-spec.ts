import { ServiceProcess, startServiceProcess, stopServiceProcess } from '../support/service-process';
import { aSpoolDir, sendOne } from '../support/spool-scenario';
import { TEST_INTERNAL_TOKEN, TEST_WEBHOOK_SECRET } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * Two processes on one SPOOL_DIR used to overwrite each other's records (the same arrival
 * numbers) and miscount. The second must refuse to start, in one line, for as long as the first
 * lives, however it ends (kill -9 included).
 */
describe('spool: one process per SPOOL_DIR', () => {
  let db: TestDatabase;
  const services: ServiceProcess[] = [];
  const spoolDir = aSpoolDir();
  const start = async () => {
    const service = await startServiceProcess({
      DATABASE_URL: db.url,
      SUKI_WEBHOOK_SECRETS: TEST_WEBHOOK_SECRET,
      INTERNAL_API_TOKENS: TEST_INTERNAL_TOKEN,
      RETRIEVAL_ENABLED: 'false',
      SPOOL_DIR: spoolDir,
    });
    services.push(service);
    return service;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    for (const service of services) await stopServiceProcess(service, 'SIGKILL').catch(() => undefined);
    await db?.drop();
  });

  it('refuses a second process in one line while the first lives, and starts once it was killed -9', async () => {
    const first = await start();
    const refusal = await start().then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(refusal).toMatch(/^service exited \(1\) before listening/);
    const said = refusal
      .split('\n')
      .slice(1)
      .filter((line) => line.trim() !== '' && !line.startsWith('{'));
    expect(said).toEqual([expect.stringMatching(/^SPOOL_DIR \S+ is in use by another process \(spool\.lock is locked\)/)]);
    // The first is unaffected.
    expect((await sendOne(first.baseUrl)).status).toBe(200);

    first.child.kill('SIGKILL');
    await first.exited;
    const next = await start();
    expect((await sendOne(next.baseUrl)).status).toBe(200);
  }, 90_000);
});
