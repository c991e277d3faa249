import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopServiceProcess } from '../support/service-process';
import { metric, sendOne, Sent, startSpoolService, useSpoolCluster, waitForAllStored, waitUntil, warmUp } from '../support/spool-scenario';

/** Notifications of about 20 KB: a few dozen fill what the small filesystem leaves. */
const PADDING = { additional_info: { padding: 'x'.repeat(20_000) } };

/**
 * The spool on a real, small filesystem (a 3 MiB tmpfs) while PostgreSQL is down. A full disk
 * used to end the process (an unhandled rejection from lmdb's failed commit), refusing
 * everything after. It must answer 503 for what it cannot store, never a 2xx, turn readiness
 * 503, take notifications again once the disk has room, and lose nothing it acknowledged.
 */
describe('spool: the filesystem under SPOOL_DIR fills up while PostgreSQL is down', () => {
  const run = useSpoolCluster();
  const mountPoint = mkdtempSync(join(tmpdir(), 'spool-tmpfs-'));

  beforeAll(() => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mountPoint]);
  });

  afterAll(async () => {
    // The service first: a filesystem in use cannot be unmounted.
    if (run.service) await stopServiceProcess(run.service);
    run.service = undefined;
    execFileSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('answers 503 (never 2xx) for what it cannot write, stays up, and stores every acknowledged notification', async () => {
    // Room an operator can free later.
    const ballast = join(mountPoint, 'ballast');
    writeFileSync(ballast, Buffer.alloc(1024 * 1024));
    run.service = await startSpoolService(run.pg, join(mountPoint, 'spool'));
    const baseUrl = run.service.baseUrl;
    await warmUp(baseUrl);
    await run.pg.stop();

    const sent: Sent[] = [];
    while (sent.length < 400 && sent.slice(-5).filter((s) => s.status === 503).length < 5) sent.push(await sendOne(baseUrl, PADDING));
    const accepted = sent.filter((s) => s.status === 202);
    const refused = sent.filter((s) => s.status === 503);
    expect(accepted.length).toBeGreaterThan(10);
    expect(refused.length).toBeGreaterThanOrEqual(5);
    expect(accepted.length + refused.length).toBe(sent.length);
    expect(run.service.child.exitCode).toBeNull();

    // Readiness follows the failed writes (the byte counters alone would say there is room).
    const ready = await fetch(`${baseUrl}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ error: { spool: { status: 'down', message: 'spool writes fail' } } });
    expect(await metric(baseUrl, 'suki_spool_writable')).toBe(0);
    expect(await metric(baseUrl, 'suki_spool_refused_total', { reason: 'disk' })).toBe(refused.length);

    // Room again, the database still down: the spool's probe notices and takes notifications again.
    rmSync(ballast);
    await waitUntil('readiness degraded', async () => (await fetch(`${baseUrl}/health/ready`)).status === 200);
    const afterRoom = await sendOne(baseUrl, PADDING);
    expect(afterRoom).toMatchObject({ status: 202, outcome: 'spooled' });
    accepted.push(afterRoom);

    await run.pg.start();
    const stored = await waitForAllStored(
      run.pg,
      accepted.map((s) => s.sessionId),
    );
    for (const s of accepted) expect(stored.get(s.sessionId)).toBe(1);
    for (const s of refused) expect(stored.has(s.sessionId)).toBe(false);
    await waitUntil('readiness ok', async () => (await fetch(`${baseUrl}/health/ready`)).status === 200);
  }, 120_000);
});
