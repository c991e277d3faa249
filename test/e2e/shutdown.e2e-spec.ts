import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { sign } from '../../src/suki/signature';
import { aSuccessNotification, postNotification } from '../support/notifications';
import { ServiceProcess, startServiceProcess, stopServiceProcess, waitForExit } from '../support/service-process';
import { TEST_WEBHOOK_SECRET } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const BURST = 400;
const CONCURRENCY = 16;

/**
 * SIGTERM in the middle of a burst of notifications: the process drains and exits 0, and every
 * notification that was answered 2xx is in the database (a 2xx for anything else would be a
 * clinician's note lost, since Suki does not send a notification twice).
 */
describe('graceful shutdown of the compiled service', () => {
  let db: TestDatabase;
  let service: ServiceProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    service = await startServiceProcess({
      DATABASE_URL: db.url,
      SUKI_WEBHOOK_SECRETS: TEST_WEBHOOK_SECRET,
      INTERNAL_API_TOKENS: 'shutdown-test-token',
      SUKI_API_TOKEN: 'shutdown-test-suki-token',
      SUKI_API_BASE_URL: 'http://127.0.0.1:9',
    });
  }, 60_000);

  afterAll(async () => {
    if (service?.child.exitCode === null) await stopServiceProcess(service, 'SIGKILL').catch(() => undefined);
    await db?.drop();
  });

  it('finishes in-flight requests, exits 0, and every 2xx is durable', async () => {
    const acknowledged: string[] = [];
    let refused = 0;
    let signalled = false;
    let answeredAfterSignal = 0;

    // A request that is still uploading its body when the signal arrives: it must be served.
    const slow = startSlowNotification(service.baseUrl);
    await slow.headersSent;

    let next = 0;
    const worker = async () => {
      while (next < BURST) {
        next += 1;
        const body = aSuccessNotification();
        if (acknowledged.length >= 50 && !signalled) {
          signalled = true;
          service.child.kill('SIGTERM');
        }
        const answer = await postNotification(service.baseUrl, body).catch(() => undefined);
        if (answer === undefined) {
          refused += 1;
          if (refused > CONCURRENCY * 2) return; // the server is gone; stop knocking
          continue;
        }
        if (answer.status >= 200 && answer.status < 300) {
          acknowledged.push(body.session_id);
          if (signalled) answeredAfterSignal += 1;
        }
      }
    };
    const burst = Promise.all(Array.from({ length: CONCURRENCY }, worker));

    await until(() => signalled);
    const slowAnswer = await slow.finish();
    await burst;
    const exit = await waitForExit(service);

    expect(exit).toEqual({ code: 0, signal: null });
    expect(slowAnswer).toMatch(/^HTTP\/1\.1 200 /);
    expect(acknowledged.length).toBeGreaterThanOrEqual(50);
    expect(answeredAfterSignal).toBeGreaterThan(0);
    const stored = await db.query<{ session_id: string }>(
      "SELECT session_id FROM deliveries WHERE outcome = 'applied' AND session_id = ANY($1)",
      [[...acknowledged, slow.sessionId]],
    );
    expect(new Set(stored.map((row) => row.session_id))).toEqual(new Set([...acknowledged, slow.sessionId]));
    expect(service.logLines().map((line) => line.msg)).toEqual(
      expect.arrayContaining(['SIGTERM received: draining (at most 25000 ms)', expect.stringMatching(/^shutdown complete in \d+ ms$/)]),
    );
  }, 60_000);
});

/** A signed notification sent over a raw socket: headers and half the body now, the rest on finish(). */
function startSlowNotification(baseUrl: string) {
  const { hostname, port } = new URL(baseUrl);
  const sessionId = `slow-${randomUUID()}`;
  const raw = Buffer.from(JSON.stringify(aSuccessNotification({ session_id: sessionId })));
  const generatedAt = String(Date.now());
  const socket = connect(Number(port), hostname);
  let response = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (response += chunk));
  const ended = new Promise<string>((resolve) => socket.once('close', () => resolve(response)));
  const half = Math.floor(raw.length / 2);
  const headersSent = new Promise<void>((resolve) =>
    socket.once('connect', () => {
      socket.write(
        `POST /webhooks/notification HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${raw.length}\r\ngenerated-at: ${generatedAt}\r\nx-api-key: ${sign(raw, generatedAt, TEST_WEBHOOK_SECRET)}\r\n\r\n`,
      );
      socket.write(raw.subarray(0, half), () => resolve());
    }),
  );
  return {
    sessionId,
    headersSent,
    /** Sends the rest after a pause long enough that a shutdown closing the pool before the server would fail it. */
    async finish(): Promise<string> {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      socket.write(raw.subarray(half));
      return ended;
    },
  };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
