import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * PL/pgSQL keeps each statement's plan for the life of a connection, and may keep a generic plan
 * made while the tables were nearly empty (a new deployment, every benchmark). A lookup whose
 * conditions include a status could then take the index that leads with the status and walk
 * every row in that status, on every call, until the table is next analysed. Here the worst
 * case is forced (generic plans from the first call, on empty tables) and every plan the
 * database's functions run on intake's and retrieval's paths is read back through auto_explain:
 * each finds its rows by a key.
 */
describe('the plans of the intake and results-ready functions', () => {
  let db: TestDatabase;
  let client: Client;
  const plans: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ connectionString: db.url });
    client.on('notice', (notice) => {
      if (notice.message?.includes('plan:')) plans.push(notice.message);
    });
    await client.connect();
    // auto_explain ships with PostgreSQL; loading it per session needs a superuser, as tests connect.
    await client.query(`LOAD 'auto_explain'`);
    await client.query(`SET auto_explain.log_min_duration = 0`);
    await client.query(`SET auto_explain.log_nested_statements = on`);
    await client.query(`SET auto_explain.log_level = notice`);
    await client.query(`SET client_min_messages = notice`);
    await client.query(`SET plan_cache_mode = force_generic_plan`);
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  const ingest = (notification: Record<string, unknown>) =>
    client.query('SELECT outcome::text FROM ingest_notifications($1::jsonb)', [JSON.stringify([notification])]);

  const notification = (sessionId: string, encounterId: string, extra: Record<string, unknown> = {}) => ({
    arrival: '1',
    rawBody: Buffer.from(randomUUID()).toString('base64'),
    generatedAtMs: String(Date.now()),
    receivedAt: new Date().toISOString(),
    sessionId,
    encounterId,
    vendorStatus: 'success',
    sessionStatus: 'completed',
    knownSessions: [],
    artifacts: [{ kind: 'contents', ownerId: sessionId, sessionId, href: `/api/v1/ambient/session/${sessionId}/content` }],
    ...extra,
  });

  /** The relation each scan of a plan reads, and the index it reads it by (none: a sequential scan). */
  const scans = (plan: string) =>
    [...plan.matchAll(/(?:Index Only Scan|Index Scan) using (\w+) on (\w+)|Bitmap Index Scan on (\w+)|Seq Scan on (\w+)/g)].map(
      ([, index, table, bitmapIndex, seqTable]) => ({ index: index ?? bitmapIndex ?? null, table: table ?? seqTable ?? null }),
    );

  it('finds every row by its key, even with generic plans made on empty tables', async () => {
    const [encounterId, listing, listed] = [randomUUID(), randomUUID(), randomUUID()];
    // A session made known by another's `sessions` array, so it gets a missed-notification poll…
    await ingest(
      notification(listing, encounterId, {
        knownSessions: [listed],
        reconcileChecks: [{ sessionId: listed, href: `/api/v1/ambient/session/${listed}/status` }],
        reconcileAfterMs: 600_000,
      }),
    );
    // …that its own notification makes moot (found, then deleted, by its key).
    await ingest(notification(listed, encounterId));
    // An artifact becoming ready asks whether its session's results are all in (a deferred trigger).
    for (const session of [listing, listed]) {
      await client.query(`UPDATE artifacts SET status = 'ready' WHERE owner_id = $1 AND kind = 'contents'`, [session]);
    }
    const texts = plans.join('\n');
    const byIndex = plans.flatMap(scans);

    // Not vacuous: the statements that once had a status among their conditions ran, and were explained.
    expect(texts).toContain('FROM sessions WHERE id = sid');
    expect(texts).toMatch(/FROM artifacts a WHERE a\.owner_id = sid AND a\.kind = 'status'/);
    expect(texts).toContain('DELETE FROM artifacts WHERE id = poll_id');
    expect((await client.query(`SELECT count(*)::int AS n FROM artifacts WHERE kind = 'status'`)).rows).toEqual([{ n: 0 }]);
    expect((await client.query(`SELECT type FROM events WHERE type = 'session.results_ready'`)).rows).toHaveLength(2);
    expect(byIndex.length).toBeGreaterThan(5);
    // Primary keys and unique keys (…_pkey, …_key) only: never an index that leads with a status.
    expect(byIndex.filter(({ index }) => !index || !/_(pkey|key)$/.test(index))).toEqual([]);
  });
});
