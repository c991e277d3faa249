import { randomBytes, randomUUID } from 'node:crypto';
import { sign } from '../../src/suki/signature';
import { FakeSukiApi, startFakeSukiApi } from '../support/fake-suki-api';
import { aFailureNotification, aSuccessNotification, aTimeoutNotification, postNotification } from '../support/notifications';
import { parsePrometheus, Sample, sampleValue } from '../support/prometheus';
import { ServiceProcess, startServiceProcess, stopServiceProcess } from '../support/service-process';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { eventually } from '../support/waiting';

// Distinctive values, so that finding one in the output cannot be a coincidence.
const MARKER = `PHI-MARKER-${randomUUID()}`;
const WEBHOOK_SECRET = `webhook-secret-${randomBytes(16).toString('hex')}`;
const SUKI_TOKEN = `suki-token-${randomBytes(16).toString('hex')}`;
const INTERNAL_TOKEN = `internal-token-${randomBytes(16).toString('hex')}`;

/**
 * The compiled service at LOG_LEVEL=debug, fed notifications and Suki content that carry a
 * marker: the marker (standing for note text, transcripts and error details), the credentials
 * and the signatures never reach its output, while the identifiers an operator needs do.
 */
describe('logs at debug level', () => {
  let db: TestDatabase;
  let suki: FakeSukiApi;
  let service: ServiceProcess;
  const signatures: string[] = [];
  const success = aSuccessNotification({ additional_info: { priority: 'high', note: MARKER }, clinical_summary: MARKER });

  beforeAll(async () => {
    db = await createTestDatabase();
    suki = await startFakeSukiApi({ token: SUKI_TOKEN, marker: MARKER });
    service = await startServiceProcess({
      DATABASE_URL: db.url,
      LOG_LEVEL: 'debug',
      SUKI_WEBHOOK_SECRETS: WEBHOOK_SECRET,
      INTERNAL_API_TOKENS: INTERNAL_TOKEN,
      SUKI_API_TOKEN: SUKI_TOKEN,
      SUKI_API_BASE_URL: suki.baseUrl,
    });
  }, 60_000);

  afterAll(async () => {
    if (service?.child.exitCode === null) await stopServiceProcess(service, 'SIGKILL').catch(() => undefined);
    await suki?.close();
    await db?.drop();
  });

  /** Signs as Suki does, remembering the signature so that the test can look for it later. */
  const post = (
    body: Record<string, unknown> | null,
    options: { raw?: string; headers?: Record<string, string>; secret?: string } = {},
  ) => {
    const generatedAt = String(Date.now());
    signatures.push(sign(Buffer.from(options.raw ?? JSON.stringify(body)), generatedAt, options.secret ?? WEBHOOK_SECRET));
    return postNotification(service.baseUrl, body, { ...options, generatedAt, secret: options.secret ?? WEBHOOK_SECRET });
  };

  it('accepts notifications whose free-text fields carry the marker', async () => {
    const credentials = { authorization: `Bearer ${INTERNAL_TOKEN}`, sdp_suki_token: SUKI_TOKEN, cookie: `session=${MARKER}` };
    expect((await post(success, { headers: credentials })).status).toBe(200);
    expect((await post(aFailureNotification({ error_code: `E_${MARKER}`, error_detail: `transcription failed: ${MARKER}` }))).status).toBe(
      200,
    );
    expect((await post(aTimeoutNotification({ additional_info: { reason: MARKER } }))).status).toBe(200);
    expect((await post({ session_id: randomUUID(), encounter_id: randomUUID(), status: `status-${MARKER}` })).status).toBe(202);
    expect((await post(null, { raw: `not json ${MARKER}` })).status).toBe(400);
    expect((await post({ status: 'success', additional_info: MARKER })).status).toBe(400);
    expect((await post({ note: MARKER }, { secret: `wrong-${WEBHOOK_SECRET}` })).status).toBe(401);
  });

  it("retrieves the success's content, which carries the marker, from the fake Suki API", async () => {
    const artifacts = async () =>
      db.query<{ kind: string; status: string; data: unknown }>('SELECT kind, status, data FROM artifacts WHERE encounter_id = $1', [
        success.encounter_id,
      ]);
    const fetched = await eventually(artifacts, (rows) => !rows.some((artifact) => artifact.status === 'pending'), 20_000, 100);
    expect(fetched.map((artifact) => artifact.status)).toEqual(['ready', 'ready', 'ready', 'ready', 'ready']);
    expect(JSON.stringify(fetched.map((artifact) => artifact.data))).toContain(MARKER);
    expect(suki.requests.every((request) => request.headers.sdp_suki_token === SUKI_TOKEN)).toBe(true);
  });

  it('serves the fetched content to an internal caller', async () => {
    const headers = { authorization: `Bearer ${INTERNAL_TOKEN}` };
    const answer = await fetch(`${service.baseUrl}/v1/sessions/${success.session_id}/artifacts/contents?q=${MARKER}`, { headers });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain(MARKER);
  });

  it('answers probes and scrapes, which log at debug', async () => {
    expect((await fetch(`${service.baseUrl}/health/ready`)).status).toBe(200);
    // The retrieval worker counts its attempts on the shared registry.
    const readyContents = (samples: Sample[]) =>
      sampleValue(samples, 'suki_retrieval_attempts_total', { kind: 'contents', outcome: 'ready' }) ?? 0;
    // The success, and the timed-out and unrecognised sessions whose status check Suki (the
    // fake) answered `completed`: their notes are fetched too, after those checks, so scrape
    // until the worker has got that far (or the deadline passes, and the count below says how far it got).
    const scrape = async (): Promise<Sample[]> => {
      const answer = await fetch(`${service.baseUrl}/metrics`);
      expect(answer.status).toBe(200);
      return parsePrometheus(await answer.text());
    };
    const samples = await eventually(scrape, (scraped) => readyContents(scraped) >= 3, 20_000, 100);
    expect(sampleValue(samples, 'suki_retrieval_attempts_total', { kind: 'contents', outcome: 'ready' })).toBe(3);
    expect(sampleValue(samples, 'suki_retrieval_attempts_total', { kind: 'encounter_content', outcome: 'ready' })).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('exits 0 on SIGTERM', async () => {
    expect(await stopServiceProcess(service)).toEqual({ code: 0, signal: null });
  });

  it('wrote structured JSON only, with identifiers, statuses, outcomes and durations', () => {
    const output = service.output();
    const lines = output.split('\n').filter((line) => line.length > 0);
    expect(lines.every((line) => isJson(line))).toBe(true);
    expect(output).toContain(
      `notification session=${success.session_id} encounter=${success.encounter_id} status=completed outcome=applied`,
    );
    const access = service.logLines().find((line) => line.req?.path === '/webhooks/notification' && line.res?.statusCode === 200);
    expect(access).toMatchObject({ level: 'info', reqId: expect.any(String), responseTime: expect.any(Number) });
    expect(
      service
        .logLines()
        .filter((line) => line.level === 'debug')
        .map((line) => line.req?.path),
    ).toEqual(expect.arrayContaining(['/health/ready', '/metrics']));
    expect(output).toMatch(new RegExp(`artifact contents session=${success.session_id} .*outcome=ready`));
  });

  it('put the identifiers code added to the request context on the access lines', () => {
    const lines = service.logLines();
    const webhook = lines.find(
      (line) => line.req?.path === '/webhooks/notification' && line.res?.statusCode === 200 && line.sessionId === success.session_id,
    );
    expect(webhook).toMatchObject({ encounterId: success.encounter_id, status: 'completed', outcome: 'applied' });
    const read = lines.find((line) => line.req?.path === `/v1/sessions/${success.session_id}/artifacts/contents`);
    expect(read).toMatchObject({ res: { statusCode: 200 }, client: expect.any(String) });
    // Nothing leaks from one request's context into another's line.
    const refused = lines.filter((line) => line.req?.path === '/webhooks/notification' && line.res?.statusCode === 400);
    expect(refused).toHaveLength(2);
    for (const line of refused) expect(line).not.toHaveProperty('sessionId');
  });

  it('never wrote the marker, a credential or a signature', () => {
    const output = service.output();
    expect(signatures.length).toBe(7);
    for (const secret of [MARKER, WEBHOOK_SECRET, SUKI_TOKEN, INTERNAL_TOKEN, ...signatures]) {
      expect({ secret, found: output.includes(secret) }).toEqual({ secret, found: false });
    }
  });
});

function isJson(line: string): boolean {
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
}
