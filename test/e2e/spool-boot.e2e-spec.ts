import { postNotification } from '../support/notifications';
import { createPrivatePostgres, PrivatePostgres } from '../support/private-postgres';
import { ServiceProcess, stopServiceProcess } from '../support/service-process';
import { aSpoolDir, sendOne, startSpoolService, waitForAllStored, waitUntil, warmUp } from '../support/spool-scenario';

/** A restart during an outage: the service boots without its database, then migrates and drains. */
describe('spool: boot while PostgreSQL is down', () => {
  let pg: PrivatePostgres;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    pg = await createPrivatePostgres();
  }, 60_000);

  afterAll(async () => {
    if (service) await stopServiceProcess(service);
    await pg?.destroy();
  });

  it('serves into the spool, then migrates the empty database and drains it once it arrives', async () => {
    await pg.stop();
    service = await startSpoolService(pg, aSpoolDir());
    const baseUrl = service.baseUrl;
    expect((await fetch(`${baseUrl}/health/live`)).status).toBe(200);
    const ready = await fetch(`${baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'degraded' });

    const sent = await Promise.all(Array.from({ length: 20 }, () => sendOne(baseUrl)));
    expect(sent.map((s) => s.status)).toEqual(sent.map(() => 202));
    // An authentic but unusable body is spooled too, and answered 400 as ever.
    const unusable = await postNotification(baseUrl, { status: 'success' });
    expect(unusable.status).toBe(400);

    await pg.start();
    const stored = await waitForAllStored(
      pg,
      sent.map((s) => s.sessionId),
    );
    for (const s of sent) expect(stored.get(s.sessionId)).toBe(1);
    const [rejected] = await pg.query<{ n: number }>("SELECT count(*)::int AS n FROM deliveries WHERE outcome = 'rejected'");
    expect(rejected.n).toBe(1);
    const [migrations] = await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL');
    expect(migrations.n).toBeGreaterThan(0);
    await waitUntil(
      'readiness ok',
      async () => ((await (await fetch(`${baseUrl}/health/ready`)).json()) as { status: string }).status === 'ok',
    );
    await warmUp(baseUrl);
    const lines = service.logLines().map((line) => String(line.msg));
    expect(lines.some((msg) => msg.startsWith('database unreachable at boot'))).toBe(true);
  }, 90_000);
});
