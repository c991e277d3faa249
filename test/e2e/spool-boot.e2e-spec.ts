import { postNotification } from '../support/notifications';
import { aSpoolDir, sendOne, startSpoolService, useSpoolCluster, waitForAllStored, waitUntil, warmUp } from '../support/spool-scenario';

/** A restart during an outage: the service boots without its database, then migrates and drains. */
describe('spool: boot while PostgreSQL is down', () => {
  const run = useSpoolCluster();

  it('serves into the spool, then migrates the empty database and drains it once it arrives', async () => {
    await run.pg.stop();
    run.service = await startSpoolService(run.pg, aSpoolDir());
    const baseUrl = run.service.baseUrl;
    expect((await fetch(`${baseUrl}/health/live`)).status).toBe(200);
    const ready = await fetch(`${baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'degraded' });

    const sent = await Promise.all(Array.from({ length: 20 }, () => sendOne(baseUrl)));
    expect(sent.map((s) => s.status)).toEqual(sent.map(() => 202));
    // An authentic but unusable body is spooled too, and answered 400 as ever.
    const unusable = await postNotification(baseUrl, { status: 'success' });
    expect(unusable.status).toBe(400);

    await run.pg.start();
    const stored = await waitForAllStored(
      run.pg,
      sent.map((s) => s.sessionId),
    );
    for (const s of sent) expect(stored.get(s.sessionId)).toBe(1);
    const [rejected] = await run.pg.query<{ n: number }>("SELECT count(*)::int AS n FROM deliveries WHERE outcome = 'rejected'");
    expect(rejected.n).toBe(1);
    const [migrations] = await run.pg.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL',
    );
    expect(migrations.n).toBeGreaterThan(0);
    await waitUntil(
      'readiness ok',
      async () => ((await (await fetch(`${baseUrl}/health/ready`)).json()) as { status: string }).status === 'ok',
    );
    await warmUp(baseUrl);
    const lines = run.service.logLines().map((line) => String(line.msg));
    expect(lines.some((msg) => msg.startsWith('database unreachable at boot'))).toBe(true);
  }, 90_000);
});
