import {
  aSpoolDir,
  metric,
  sendOne,
  startSpoolService,
  storedDeliveries,
  useSpoolCluster,
  waitForAllStored,
  waitUntil,
  warmUp,
} from '../support/spool-scenario';

/** The answers table (docs/api.md), last row: database and spool both unable → 503, never a 2xx for what is not durable. */
describe('spool: full while PostgreSQL is down', () => {
  const run = useSpoolCluster();

  it('answers 503 once full, turns readiness 503, and loses none of what it acknowledged', async () => {
    // A success notification is about 1.2 KB: a handful fit.
    run.service = await startSpoolService(run.pg, aSpoolDir(), { SPOOL_MAX_BYTES: '8192' });
    const baseUrl = run.service.baseUrl;
    await run.pg.stop();

    const sent = [];
    for (let i = 0; i < 20; i += 1) sent.push(await sendOne(baseUrl));
    const accepted = sent.filter((s) => s.status === 202);
    const refused = sent.filter((s) => s.status === 503);
    expect(accepted.length).toBeGreaterThan(2);
    expect(refused.length).toBeGreaterThan(2);
    expect(accepted.length + refused.length).toBe(20);
    // Once full it stays full: nothing after the first refusal was acknowledged.
    expect(sent.findIndex((s) => s.status === 503)).toBe(accepted.length);
    expect((await fetch(`${baseUrl}/health/ready`)).status).toBe(503);
    expect(await metric(baseUrl, 'suki_spool_refused_total', { reason: 'full' })).toBe(refused.length);

    await run.pg.start();
    const stored = await waitForAllStored(
      run.pg,
      accepted.map((s) => s.sessionId),
    );
    for (const s of accepted) expect(stored.get(s.sessionId)).toBe(1);
    for (const s of refused) expect(stored.has(s.sessionId)).toBe(false);
    await waitUntil('an empty spool', async () => (await metric(baseUrl, 'suki_spool_records')) === 0);
    // Room again, and the database back: served normally.
    const afterwards = await warmUp(baseUrl);
    expect((await storedDeliveries(run.pg)).size).toBe(accepted.length + afterwards);
  }, 90_000);
});
