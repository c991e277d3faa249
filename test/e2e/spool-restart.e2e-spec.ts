import { stopServiceProcess } from '../support/service-process';
import { aSpoolDir, sendOne, startSpoolService, useSpoolCluster, waitForAllStored, warmUp } from '../support/spool-scenario';

/** A process killed (-9) with notifications in its spool, restarted while the database is still away. */
describe('spool: kill -9 with a non-empty spool, restart while PostgreSQL is down', () => {
  const run = useSpoolCluster();

  it('keeps every acknowledged notification across the kill and drains each once, in arrival order', async () => {
    const spoolDir = aSpoolDir();
    run.service = await startSpoolService(run.pg, spoolDir);
    await warmUp(run.service.baseUrl);
    await run.pg.stop();

    // Two events of one session with the same generated-at: arrival order decides, across the restart.
    const sessionId = 'session-tie';
    const generatedAt = Date.now();
    const first = [
      await sendOne(run.service.baseUrl, { session_id: sessionId, encounter_id: 'encounter-tie', status: 'failure' }, generatedAt),
    ];
    const burst = await Promise.all(Array.from({ length: 30 }, () => sendOne(run.service!.baseUrl)));
    // Killed the moment the last answer arrives: a 202 must already be on disk.
    const last = await sendOne(run.service.baseUrl);
    run.service.child.kill('SIGKILL');
    await run.service.exited;
    const before = [...first, ...burst, last];
    expect(before.map((s) => s.outcome)).toEqual(before.map(() => 'spooled'));

    // Restarted with the database still down: it boots, and serves into the same spool.
    run.service = await startSpoolService(run.pg, spoolDir);
    const after = [
      await sendOne(run.service.baseUrl, { session_id: sessionId, encounter_id: 'encounter-tie', status: 'success' }, generatedAt),
    ];
    after.push(...(await Promise.all(Array.from({ length: 10 }, () => sendOne(run.service!.baseUrl)))));
    expect(after.map((s) => s.outcome)).toEqual(after.map(() => 'spooled'));

    // A graceful stop while the spool is full and the drainer waits for the database: prompt, exit 0.
    const stopped = performance.now();
    expect(await stopServiceProcess(run.service)).toEqual({ code: 0, signal: null });
    expect(performance.now() - stopped).toBeLessThan(10_000);
    run.service = await startSpoolService(run.pg, spoolDir);

    await run.pg.start();
    const everything = [...before, ...after];
    const stored = await waitForAllStored(
      run.pg,
      everything.map((s) => s.sessionId),
    );
    expect(stored.get(sessionId)).toBe(2);
    for (const s of everything.filter((s) => s.sessionId !== sessionId)) expect(stored.get(s.sessionId)).toBe(1);
    // The later arrival (after the restart) wins the tie, as it would have on time.
    const [session] = await run.pg.query<{ status: string }>('SELECT status FROM sessions WHERE id = $1', [sessionId]);
    expect(session.status).toBe('completed');
    const outcomes = await run.pg.query<{ vendor_status: string; outcome: string }>(
      'SELECT vendor_status, outcome::text FROM deliveries WHERE session_id = $1 ORDER BY id',
      [sessionId],
    );
    expect(outcomes).toEqual([
      { vendor_status: 'failure', outcome: 'applied' },
      { vendor_status: 'success', outcome: 'applied' },
    ]);
  }, 120_000);
});
