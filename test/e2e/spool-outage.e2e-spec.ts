import {
  aSpoolDir,
  metric,
  startSpoolService,
  stream,
  useSpoolCluster,
  waitForAllStored,
  waitUntil,
  warmUp,
} from '../support/spool-scenario';

/** The answers table (docs/api.md): a database outage mid-stream loses nothing and stores nothing twice. */
describe('spool: PostgreSQL stopped and restarted mid-stream', () => {
  const run = useSpoolCluster();

  it('answers every notification 2xx across the outage and has each in the database exactly once after', async () => {
    run.service = await startSpoolService(run.pg, aSpoolDir());
    const baseUrl = run.service.baseUrl;
    // Warm (first connection, first plan) before the clock starts, so that what spools is the outage.
    const warmUps = await warmUp(baseUrl);
    let readyDuringOutage: { status: number; body: unknown } | undefined;

    const sent = await stream(baseUrl, 40, 8_000, [
      [1_500, () => run.pg.stop()],
      [
        3_500,
        async () => {
          const response = await fetch(`${baseUrl}/health/ready`);
          readyDuringOutage = { status: response.status, body: await response.json() };
        },
      ],
      [5_000, () => run.pg.start()],
    ]);

    expect(sent).toHaveLength(320);
    expect(sent.filter((s) => s.status !== 200 && s.status !== 202)).toEqual([]);
    const spooled = sent.filter((s) => s.outcome === 'spooled');
    expect(spooled.length).toBeGreaterThan(40);

    // Keep sending traffic: the load balancer must not take a spooling replica out.
    expect(readyDuringOutage).toMatchObject({ status: 200, body: { status: 'degraded', details: { spool: { status: 'up' } } } });

    const stored = await waitForAllStored(
      run.pg,
      sent.map((s) => s.sessionId),
    );
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
    // The 320 and the warm-up notifications.
    expect(stored.size).toBe(320 + warmUps);

    expect(await metric(baseUrl, 'suki_spool_written_total')).toBeGreaterThanOrEqual(spooled.length);
    // Every spooled notification was drained: applied, or a duplicate when the commit that failed
    // on the client's side (the connection cut by the stop) had in fact landed.
    const drained =
      ((await metric(baseUrl, 'suki_spool_drained_total', { outcome: 'applied' })) ?? 0) +
      ((await metric(baseUrl, 'suki_spool_drained_total', { outcome: 'duplicate' })) ?? 0);
    expect(drained).toBeGreaterThanOrEqual(spooled.length);
    // A record leaves the spool just after its commit: the gauge follows a moment later.
    await waitUntil('an empty spool', async () => (await metric(baseUrl, 'suki_spool_records')) === 0);
    expect(await metric(baseUrl, 'suki_spool_oldest_age_seconds')).toBe(0);
    const lines = run.service.logLines().map((line) => String(line.msg));
    expect(lines.some((msg) => msg.startsWith('spooling started'))).toBe(true);
    expect(lines.some((msg) => /^spooling ended after .* s: \d+ notifications spooled, \d+ drained$/.test(msg))).toBe(true);
    // After the drain, intake is back on the database.
    expect((await fetch(`${baseUrl}/health/ready`)).status).toBe(200);
    await warmUp(baseUrl);
  }, 90_000);
});
