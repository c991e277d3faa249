import { aSpoolDir, sendOne, startSpoolService, useSpoolCluster, waitForAllStored, waitUntil } from '../support/spool-scenario';

/**
 * A restart while PostgreSQL hangs: every one of its processes stopped (SIGSTOP), so connections
 * are accepted by the kernel and never answered. The boot used to wait on such a connection for
 * ever; it must listen within seconds and take notifications into the spool.
 */
describe('spool: boot while every PostgreSQL process is frozen (SIGSTOP)', () => {
  const run = useSpoolCluster();

  it('acknowledges a notification (spooled) within 5 s of the start, and stores it once PostgreSQL resumes', async () => {
    await run.pg.freeze();
    const started = performance.now();
    run.service = await startSpoolService(run.pg, aSpoolDir());
    const sent = await sendOne(run.service.baseUrl);
    const elapsedMs = performance.now() - started;
    expect(sent).toMatchObject({ status: 202, outcome: 'spooled' });
    expect(elapsedMs).toBeLessThan(5_000);
    // Readiness answers at once, without the frozen database: keep sending traffic here.
    const ready = await fetch(`${run.service.baseUrl}/health/ready`, { signal: AbortSignal.timeout(2_000) });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'degraded' });

    await run.pg.thaw();
    // Migrated (the cluster's database was empty) and drained in the background.
    const stored = await waitForAllStored(run.pg, [sent.sessionId]);
    expect(stored.get(sent.sessionId)).toBe(1);
    const baseUrl = run.service.baseUrl;
    await waitUntil(
      'readiness ok',
      async () => ((await (await fetch(`${baseUrl}/health/ready`)).json()) as { status: string }).status === 'ok',
    );
  }, 90_000);
});
