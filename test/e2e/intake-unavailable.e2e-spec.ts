import { Client } from 'pg';
import { useTestApp } from '../support/use-test-app';
import { startTestApp } from '../support/test-app';
import { eventually } from '../support/waiting';
import { aSuccessNotification, postNotification } from '../support/notifications';

/**
 * The answers table (docs/api.md): the database refusing connections → 202 `spooled`, durable in the local
 * spool, and in the database once it is back. (Outages of a whole server, hangs, a full spool
 * and kill -9 are the spool-*.e2e-spec.ts files, on private clusters.)
 */
describe('POST /webhooks/notification while the database is unavailable', () => {
  const { db, sut } = useTestApp({
    env: { RETRIEVAL_ENABLED: 'false' },
    // A test that fails half-way must not leave the database refusing the teardown.
    beforeTearDown: () => admin(`ALTER DATABASE "${dbName()}" ALLOW_CONNECTIONS true`).catch(() => undefined),
  });
  const dbName = () => new URL(db().url).pathname.slice(1);

  async function admin(sql: string): Promise<void> {
    const client = new Client({ connectionString: process.env.TEST_ADMIN_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  it('answers 202 spooled while the database refuses connections, and stores them once it is back', async () => {
    const before = aSuccessNotification();
    expect((await postNotification(sut().baseUrl, before)).status).toBe(200);

    await admin(`ALTER DATABASE "${dbName()}" ALLOW_CONNECTIONS false`);
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${dbName()}' AND pid <> pg_backend_pid()`);

    const during = [aSuccessNotification(), aSuccessNotification()];
    const answers = await Promise.all(during.map((body) => postNotification(sut().baseUrl, body)));
    for (const answer of answers) expect(answer).toEqual({ status: 202, body: { outcome: 'spooled' } });

    await admin(`ALTER DATABASE "${dbName()}" ALLOW_CONNECTIONS true`);
    const check = new Client({ connectionString: db().url });
    await check.connect();
    try {
      const ids = during.map((body) => body.session_id);
      const stored = await eventually(
        async () => (await check.query('SELECT 1 FROM sessions WHERE id = ANY($1)', [ids])).rowCount ?? 0,
        (count) => count >= ids.length,
        15_000,
        100,
      );
      expect(stored).toBe(ids.length);
    } finally {
      await check.end();
    }
    // Drained: intake is back on the database. Asked every 100 ms, not back to back: each
    // notification still spooled is one more for the drainer to empty before intake returns.
    const after = await eventually(
      () => postNotification(sut().baseUrl, aSuccessNotification()),
      (answer) => answer.body?.outcome !== 'spooled',
      15_000,
      100,
    );
    expect(after).toEqual({ status: 200, body: { outcome: 'applied' } });
  });

  it('answers 503, without naming the database, when neither the database nor the spool can take it', async () => {
    const unreachable = await startTestApp('postgresql://postgres@127.0.0.1:1/nowhere_test', {
      RETRIEVAL_ENABLED: 'false',
      SPOOL_MAX_BYTES: '2048',
    });
    try {
      // A success notification is about 1 KB: the first fits, a later one does not.
      expect(await postNotification(unreachable.baseUrl, aSuccessNotification())).toEqual({ status: 202, body: { outcome: 'spooled' } });
      let answer = await postNotification(unreachable.baseUrl, aSuccessNotification());
      for (let i = 0; i < 3 && answer.status === 202; i += 1) answer = await postNotification(unreachable.baseUrl, aSuccessNotification());
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ statusCode: 503, message: expect.not.stringContaining('127.0.0.1') });
    } finally {
      await unreachable.close();
    }
  });
});
