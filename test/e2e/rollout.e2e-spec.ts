import { aSuccessNotification, postNotification } from '../support/notifications';
import { productionEnv, ServiceProcess, startServiceProcess, stopServiceProcess, waitForExit } from '../support/service-process';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { waitFor } from '../support/waiting';

/**
 * A rolling deployment: SIGTERM, while the load balancer, which learns of it only at its next
 * readiness probe, keeps sending. The port used to close at the signal, refusing all of it (and
 * Suki does not resend). With production's defaults the listener serves on for
 * SHUTDOWN_DRAIN_DELAY_MS (5 s) with readiness 503 from the signal on.
 */
describe('rollout: SIGTERM while notifications keep coming', () => {
  let db: TestDatabase;
  let service: ServiceProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    service = await startServiceProcess(productionEnv(db.url, { RETRIEVAL_ENABLED: 'false' }));
  }, 60_000);

  afterAll(async () => {
    if (service?.child.exitCode === null) await stopServiceProcess(service, 'SIGKILL').catch(() => undefined);
    await db?.drop();
  });

  it('turns readiness 503 at once, acknowledges 1.5 s of notifications after the signal, then drains and exits 0', async () => {
    expect((await fetch(`${service.baseUrl}/health/ready`)).status).toBe(200);
    service.child.kill('SIGTERM');
    // The signal is delivered asynchronously: a probe sent the same instant can be served first.
    // The promise is about the first probe once the process has taken the signal.
    await waitFor(() => signalTaken(), 'the SIGTERM line', 5_000, 5);
    const ready = await fetch(`${service.baseUrl}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'shutting_down' });
    // Still alive for the load balancer's next probe.
    expect((await fetch(`${service.baseUrl}/health/live`)).status).toBe(200);

    const sent: Array<{ sessionId: string; answer: Promise<number> }> = [];
    const until = performance.now() + 1_500;
    while (performance.now() < until) {
      const body = aSuccessNotification();
      sent.push({
        sessionId: body.session_id,
        answer: postNotification(service.baseUrl, body).then(
          (a) => a.status,
          () => 0,
        ),
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const statuses = await Promise.all(sent.map((s) => s.answer));
    expect(statuses.length).toBeGreaterThanOrEqual(14);
    expect(statuses.filter((status) => status < 200 || status >= 300)).toEqual([]);

    expect(await waitForExit(service)).toEqual({ code: 0, signal: null });
    const stored = await db.query<{ session_id: string }>('SELECT session_id FROM deliveries WHERE session_id = ANY($1)', [
      sent.map((s) => s.sessionId),
    ]);
    expect(stored).toHaveLength(sent.length);
  }, 60_000);

  const signalTaken = () =>
    service.logLines().some((line) => /^SIGTERM received: not ready; still serving for 5000 ms/.test(String(line.msg)));
});
