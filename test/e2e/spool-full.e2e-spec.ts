import { createPrivatePostgres, PrivatePostgres } from '../support/private-postgres';
import { ServiceProcess, stopServiceProcess } from '../support/service-process';
import {
  aSpoolDir,
  metric,
  sendOne,
  startSpoolService,
  storedDeliveries,
  waitForAllStored,
  waitUntil,
  warmUp,
} from '../support/spool-scenario';

/** service-spec §1.1, last row: database and spool both unable → 503, never a 2xx for what is not durable. */
describe('spool: full while PostgreSQL is down', () => {
  let pg: PrivatePostgres;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    pg = await createPrivatePostgres();
  }, 60_000);

  afterAll(async () => {
    if (service) await stopServiceProcess(service);
    await pg?.destroy();
  });

  it('answers 503 once full, turns readiness 503, and loses none of what it acknowledged', async () => {
    // A success notification is about 1.2 KB: a handful fit.
    service = await startSpoolService(pg, aSpoolDir(), { SPOOL_MAX_BYTES: '8192' });
    const baseUrl = service.baseUrl;
    await pg.stop();

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

    await pg.start();
    const stored = await waitForAllStored(
      pg,
      accepted.map((s) => s.sessionId),
    );
    for (const s of accepted) expect(stored.get(s.sessionId)).toBe(1);
    for (const s of refused) expect(stored.has(s.sessionId)).toBe(false);
    await waitUntil('an empty spool', async () => (await metric(baseUrl, 'suki_spool_records')) === 0);
    // Room again, and the database back: served normally.
    const afterwards = await warmUp(baseUrl);
    expect((await storedDeliveries(pg)).size).toBe(accepted.length + afterwards);
  }, 90_000);
});
