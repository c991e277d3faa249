import { parsePrometheus, sampleValue } from '../support/prometheus';
import { checkExposition } from '../support/promtool';
import { waitUntil } from '../support/spool-scenario';
import { startTestApp, TestApp } from '../support/test-app';
import { useTestApp } from '../support/use-test-app';

/** What terminus answers on /health/*: the overall status and one entry per indicator. */
interface HealthBody {
  status: string;
  details: Record<string, { status: 'up' | 'down'; [detail: string]: unknown }>;
}

const get = async (url: string) => {
  const answer = await fetch(url);
  return { status: answer.status, body: (await answer.json()) as HealthBody };
};

describe('health', () => {
  const { db, sut } = useTestApp();

  it('GET /health/live answers 200', async () => {
    expect(await get(`${sut().baseUrl}/health/live`)).toEqual({ status: 200, body: expect.objectContaining({ status: 'ok' }) });
  });

  it("answers X-Request-Id with an id of its own, whatever the caller sent (the caller's is logged beside it)", async () => {
    const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const sane = await fetch(`${sut().baseUrl}/health/live`, { headers: { 'x-request-id': 'lb-7f3a:42' } });
    expect(sane.headers.get('x-request-id')).toMatch(UUID);
    const odd = await fetch(`${sut().baseUrl}/health/live`, { headers: { 'x-request-id': 'a b"c' } });
    expect(odd.headers.get('x-request-id')).toMatch(UUID);
  });

  it('GET /health/ready answers 200 when the database answers and every migration is applied', async () => {
    const { status, body } = await get(`${sut().baseUrl}/health/ready`);
    expect(status).toBe(200);
    expect(body.details).toEqual({ database: { status: 'up' }, migrations: { status: 'up' } });
  });

  it('GET /health/ready answers 503 naming a migration that is not applied, and recovers once it is', async () => {
    const [latest] = await db().query('SELECT * FROM "_prisma_migrations" ORDER BY migration_name DESC LIMIT 1');
    await db().query('DELETE FROM "_prisma_migrations" WHERE id = $1', [latest.id]);
    try {
      // The migrations check is reused for a few seconds: wait for the next one.
      await waitUntil('readiness sees the missing migration', async () => (await get(`${sut().baseUrl}/health/ready`)).status === 503);
      const { status, body } = await get(`${sut().baseUrl}/health/ready`);
      expect(status).toBe(503);
      expect(body.details).toEqual({
        database: { status: 'up' },
        migrations: { status: 'down', message: 'migrations pending', pending: [latest.migration_name] },
      });
    } finally {
      await db().query(
        'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, $4, $5, $6)',
        [latest.id, latest.checksum, latest.finished_at, latest.migration_name, latest.started_at, latest.applied_steps_count],
      );
    }
    await waitUntil('readiness recovers', async () => (await get(`${sut().baseUrl}/health/ready`)).status === 200);
  });
});

describe('health without a database', () => {
  let sut: TestApp;

  beforeAll(async () => {
    // Nothing listens on port 1: every connection is refused at once.
    sut = await startTestApp('postgresql://postgres:unused@127.0.0.1:1/absent');
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('stays live: a database outage is not a reason to restart the process', async () => {
    expect((await get(`${sut.baseUrl}/health/live`)).status).toBe(200);
  });

  it('is ready but degraded while the spool has room, and says why', async () => {
    const { status, body } = await get(`${sut.baseUrl}/health/ready`);
    // Keep sending: notifications are spooled (docs/operations.md, Health).
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.details.database).toEqual({ status: 'down', message: 'database error ECONNREFUSED' });
    expect(body.details.migrations.status).toBe('down');
    expect(body.details.spool).toEqual({ status: 'up', records: 0, bytes: 0 });
  });

  it('still serves /metrics, valid for promtool, with the backlog gauges absent rather than stale', async () => {
    const answer = await fetch(`${sut.baseUrl}/metrics`);
    expect(answer.status).toBe(200);
    const text = await answer.text();
    const samples = parsePrometheus(text);
    expect(text).toContain('# TYPE suki_artifacts_pending gauge');
    expect(sampleValue(samples, 'suki_artifacts_pending')).toBeUndefined();
    expect(sampleValue(samples, 'suki_artifact_oldest_pending_age_seconds')).toBeUndefined();
    expect(sampleValue(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(checkExposition(text).problems).toEqual([]);
  });
});
