import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import { aSuccessNotification, postNotification } from '../support/notifications';

/** Never a 2xx for data that is not durable (service-spec §1.1, last row). */
describe('POST /webhooks/notification while the database is unavailable', () => {
  let db: TestDatabase;
  let sut: TestApp;
  const dbName = () => new URL(db.url).pathname.slice(1);

  async function admin(sql: string): Promise<void> {
    const client = new Client({ connectionString: process.env.TEST_ADMIN_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    sut = await startTestApp(db.url, { RETRIEVAL_ENABLED: 'false' });
  });

  afterAll(async () => {
    await admin(`ALTER DATABASE "${dbName()}" ALLOW_CONNECTIONS true`).catch(() => undefined);
    await sut?.close();
    await db?.drop();
  });

  it('answers 503 while the database refuses connections, and 200 again once it is back', async () => {
    const before = aSuccessNotification();
    expect((await postNotification(sut.baseUrl, before)).status).toBe(200);

    await admin(`ALTER DATABASE "${dbName()}" ALLOW_CONNECTIONS false`);
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${dbName()}' AND pid <> pg_backend_pid()`);

    const during = aSuccessNotification();
    const answers = await Promise.all([postNotification(sut.baseUrl, during), postNotification(sut.baseUrl, aSuccessNotification())]);
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    }

    await admin(`ALTER DATABASE "${dbName()}" ALLOW_CONNECTIONS true`);
    const check = new Client({ connectionString: db.url });
    await check.connect();
    const stored = await check.query('SELECT 1 FROM sessions WHERE id = $1', [during.session_id]);
    await check.end();
    expect(stored.rowCount).toBe(0);

    const after = aSuccessNotification();
    expect(await postNotification(sut.baseUrl, after)).toEqual({ status: 200, body: { outcome: 'applied' } });
  });

  it('answers 503 when the database cannot be reached at all', async () => {
    const unreachable = await startTestApp('postgresql://postgres@127.0.0.1:1/nowhere_test', { RETRIEVAL_ENABLED: 'false' });
    try {
      const answer = await postNotification(unreachable.baseUrl, aSuccessNotification());
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ statusCode: 503, message: expect.not.stringContaining('127.0.0.1') });
    } finally {
      await unreachable.close();
    }
  });
});
