import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { aSuccessNotification, postNotification } from '../support/notifications';
import { parsePrometheus } from '../support/prometheus';
import { openRaw, webhookHead, within } from '../support/raw-http';
import { productionEnv, ServiceProcess, startServiceProcess, stopServiceProcess } from '../support/service-process';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { eventually } from '../support/waiting';

const ONE_MIB = 1_048_576;
const STALLED_UPLOADS = 150;
const STALLED_V1_UPLOADS = 200;

/**
 * The hostile-input findings (docs/architecture.md) against the compiled service as production runs it: stalled unsigned uploads leave
 * its memory flat, log lines carry no raw non-printing characters, and SIGTERM with a stalled
 * upload open still drains promptly and exits 0.
 */
describe('hardening of the compiled service', () => {
  let db: TestDatabase;
  let service: ServiceProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    service = await startServiceProcess(productionEnv(db.url, { LOG_LEVEL: 'info' }));
  }, 60_000);

  afterAll(async () => {
    if (service?.child.exitCode === null) await stopServiceProcess(service, 'SIGKILL').catch(() => undefined);
    await db?.drop();
  });

  /** Webhook requests the service refused before reading their body (suki_webhook_rejected_total, all reasons). */
  const refusedCount = async () =>
    parsePrometheus(await (await fetch(`${service.baseUrl}/metrics`)).text())
      .filter((sample) => sample.name === 'suki_webhook_rejected_total')
      .reduce((sum, sample) => sum + sample.value, 0);

  const rssMiB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${service.child.pid}/status`, 'utf8'))![1]) / 1024;

  it(`keeps RSS flat under ${STALLED_UPLOADS} unsigned uploads that stop one byte short of 1 MiB`, async () => {
    for (let i = 0; i < 20; i += 1) await postNotification(service.baseUrl, aSuccessNotification());
    // A fixed wait for memory to settle after the warm-up: memory has no condition to wait on.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = rssMiB();
    const refusedBefore = await refusedCount();
    const body = Buffer.alloc(ONE_MIB - 1, 0x20);
    const uploads = await Promise.all(
      Array.from({ length: STALLED_UPLOADS }, async () => {
        const exchange = await openRaw(service.baseUrl, webhookHead(service.baseUrl, ONE_MIB, { 'generated-at': '1', 'X-API-Key': '00' }));
        exchange.socket.write(body);
        return exchange;
      }),
    );
    const closed = await Promise.all(uploads.map((upload) => within(upload.closed, 10_000, undefined)));
    // A fixed wait for memory to settle after the uploads: memory has no condition to wait on.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = rssMiB();
    uploads.forEach((upload) => upload.socket.destroy());
    process.stderr.write(
      `RSS before ${before.toFixed(1)} MiB, after ${STALLED_UPLOADS} stalled unsigned uploads ${after.toFixed(1)} MiB\n`,
    );

    expect(closed.filter((result) => result === undefined)).toHaveLength(0);
    // Every one was refused with 401 before its body was read, and every client, though still
    // writing its upload, read that 401 (a lingering close, not a TCP reset that loses it).
    expect((await refusedCount()) - refusedBefore).toBe(STALLED_UPLOADS);
    expect(closed.filter((result) => !/^HTTP\/1\.1 401 /.test(result!.response))).toEqual([]);
    expect(after - before).toBeLessThan(40);
  }, 60_000);

  it(`keeps RSS flat under ${STALLED_V1_UPLOADS} unauthenticated /v1 uploads that stop one byte short of 1 MiB, answering each 401`, async () => {
    // A fixed wait for memory to settle after the previous test: memory has no condition to wait on.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = rssMiB();
    const body = Buffer.alloc(ONE_MIB - 1, 0x20);
    const { host } = new URL(service.baseUrl);
    const head = (path: string, token: string) =>
      `${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${ONE_MIB}\r\n` +
      `Authorization: Bearer ${token}\r\n\r\n`;
    const uploads = await Promise.all(
      Array.from({ length: STALLED_V1_UPLOADS }, async (_, i) => {
        // Both /v1 routes that take a body, with no token a client holds.
        const path = i % 2 === 0 ? 'POST /v1/artifacts/retry' : `PUT /v1/sessions/${randomUUID()}`;
        const exchange = await openRaw(service.baseUrl, head(path, `not-a-token-${i}-0123456789`));
        exchange.socket.write(body);
        return exchange;
      }),
    );
    const closed = await Promise.all(uploads.map((upload) => within(upload.closed, 10_000, undefined)));
    // A fixed wait for memory to settle after the uploads: memory has no condition to wait on.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = rssMiB();
    uploads.forEach((upload) => upload.socket.destroy());
    process.stderr.write(
      `RSS before ${before.toFixed(1)} MiB, after ${STALLED_V1_UPLOADS} stalled unauthenticated /v1 uploads ${after.toFixed(1)} MiB\n`,
    );

    expect(closed.filter((result) => result === undefined)).toHaveLength(0);
    expect(closed.filter((result) => !/^HTTP\/1\.1 401 /.test(result!.response))).toEqual([]);
    expect(closed.every((result) => /\r\nwww-authenticate: Bearer /i.test(result!.response))).toBe(true);
    expect(after - before).toBeLessThanOrEqual(40);
  }, 60_000);

  it('escapes non-printing and bidi characters in log lines, even from an unsigned request', async () => {
    type AccessLine = { req?: { path?: string; headers?: Record<string, string> }; res?: { statusCode?: number } };
    const refusedLines = () =>
      (service.logLines() as AccessLine[]).filter((line) => line.req?.path === '/webhooks/notification' && line.res?.statusCode === 401);
    const refusedBefore = refusedLines().length;
    // Raw bytes in User-Agent: 0x85 (NEL once read as latin1) and the UTF-8 bytes of U+202E.
    const head = Buffer.concat([
      Buffer.from('GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\nUser-Agent: probe'),
      Buffer.from([0x85, 0xe2, 0x80, 0xae]),
      Buffer.from('\r\n\r\n'),
    ]);
    await (
      await openRaw(service.baseUrl, head)
    ).closed;
    const unsigned = await openRaw(
      service.baseUrl,
      Buffer.concat([
        Buffer.from(webhookHead(service.baseUrl, 2, {}).replace(/\r\n\r\n$/, '\r\n')),
        Buffer.from('User-Agent: x'),
        Buffer.from([0x85]),
        Buffer.from('\r\n\r\n{}'),
      ]),
    );
    await unsigned.closed;
    // The unsigned request's access line, the last line this test causes, is in the output.
    const refused = await eventually(refusedLines, (lines) => lines.length > refusedBefore);

    const output = service.output();
    expect(output).not.toMatch(/[\u0080-\u009f\u202e]/);
    expect(refused.map((line) => line.req?.headers?.['user-agent'])).toContain('x\u0085');
    expect(output).toContain('"user-agent":"x\\u0085"');
  });

  it('logs a warning with the session id when a derived field cannot be stored', async () => {
    const sessionId = `deep-${randomUUID()}`;
    const raw = `{"session_id":"${sessionId}","encounter_id":"e-${sessionId}","status":"success","additional_info":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    expect((await postNotification(service.baseUrl, null, { raw })).status).toBe(200);
    const warning = await eventually(
      () => service.logLines().find((line) => line.level === 'warn' && String(line.msg).includes(sessionId)),
      (found) => found !== undefined,
    );
    expect(warning?.msg).toBe(
      `notification session=${sessionId} field=additional_info: nested deeper than 1000 levels; not stored (kept in the raw body)`,
    );
  });

  it('drains and exits 0 within 15 s on SIGTERM while an upload is stalled', async () => {
    // Headers that pass every check that can be made on sight; the body never finishes.
    const stalled = await openRaw(
      service.baseUrl,
      webhookHead(service.baseUrl, 1000, { 'generated-at': String(Date.now()), 'X-API-Key': 'ab'.repeat(32) }) + '{"session_id":',
    );
    // A fixed wait: the server must have read the head before SIGTERM, and nothing signals that.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    const exit = await stopServiceProcess(service, 'SIGTERM', 15_000);
    const tookMs = Date.now() - started;
    process.stderr.write(`SIGTERM with a stalled upload open: exit ${exit.code} after ${tookMs} ms\n`);

    expect(exit).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThan(15_000);
    expect(
      await within(
        stalled.closed.then(() => true),
        1_000,
        false,
      ),
    ).toBe(true);
    expect(service.logLines().map((line) => String(line.msg))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^shutdown complete in \d+ ms$/)]),
    );
  }, 30_000);
});
