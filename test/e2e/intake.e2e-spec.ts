import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import {
  aCancelledNotification,
  aFailureNotification,
  aSuccessNotification,
  aTimeoutNotification,
  postNotification,
} from '../support/notifications';

/** Every row of the answers table (service-spec §1.1), through the front door. */
describe('POST /webhooks/notification', () => {
  let db: TestDatabase;
  let sut: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    sut = await startTestApp(db.url, { RETRIEVAL_ENABLED: 'false' });
  });

  afterAll(async () => {
    await sut?.close();
    await db?.drop();
  });

  type SessionRow = { status: string; additional_info: unknown; links: unknown; last_event_at: Date; [column: string]: unknown };
  const session = async (id: unknown) => (await db.query<SessionRow>('SELECT * FROM sessions WHERE id = $1', [id]))[0];
  const encounter = async (id: unknown) => (await db.query('SELECT * FROM encounters WHERE id = $1', [id]))[0];
  const deliveriesOf = (sessionId: unknown) =>
    db.query<{ outcome: string; vendor_status: string; raw_body: Buffer }>(
      'SELECT outcome, vendor_status, raw_body FROM deliveries WHERE session_id = $1 ORDER BY id',
      [sessionId],
    );
  const artifactsOf = (encounterId: unknown) =>
    db.query('SELECT kind, status, owner_id, session_id, last_error FROM artifacts WHERE encounter_id = $1 ORDER BY kind', [encounterId]);
  const countRows = async () =>
    (
      await db.query(
        'SELECT (SELECT count(*) FROM deliveries) + (SELECT count(*) FROM sessions) + (SELECT count(*) FROM encounters) + (SELECT count(*) FROM artifacts) AS n',
      )
    )[0].n;

  describe('applied', () => {
    it('records delivery, encounter, session and retrieval work of a success, keeping additional_info and _links', async () => {
      const body = aSuccessNotification();
      const raw = JSON.stringify(body);
      expect(await postNotification(sut.baseUrl, body, { raw })).toEqual({ status: 200, body: { outcome: 'applied' } });

      const stored = await session(body.session_id);
      expect(stored).toMatchObject({
        status: 'completed',
        encounter_id: body.encounter_id,
        vendor_status: 'success',
        additional_info: { priority: 'high' },
      });
      expect(stored.links).toEqual(body._links);
      expect(await encounter(body.encounter_id)).toMatchObject({ status: 'completed' });
      const deliveries = await deliveriesOf(body.session_id);
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]).toMatchObject({ outcome: 'applied', vendor_status: 'success' });
      expect(deliveries[0].raw_body.toString('utf8')).toBe(raw);
      const artifacts = await artifactsOf(body.encounter_id);
      expect(artifacts.map((a) => [a.kind, a.status, a.owner_id]).sort()).toEqual([
        ['contents', 'pending', body.session_id],
        ['encounter_content', 'pending', body.encounter_id],
        ['encounter_structured_data', 'pending', body.encounter_id],
        ['structured_data', 'pending', body.session_id],
        ['transcripts', 'pending', body.session_id],
      ]);
    });

    it('makes every session of the sessions array a known, pending session of the encounter', async () => {
      const body = aSuccessNotification({ sessions: ['earlier-session-1', 'earlier-session-2'] });
      await postNotification(sut.baseUrl, body);
      for (const id of ['earlier-session-1', 'earlier-session-2']) {
        expect(await session(id)).toMatchObject({ status: 'pending', encounter_id: body.encounter_id, last_event_at: null });
      }
    });

    it('keeps error code and detail of a failure', async () => {
      const body = aFailureNotification();
      expect(await postNotification(sut.baseUrl, body)).toEqual({ status: 200, body: { outcome: 'applied' } });
      expect(await session(body.session_id)).toMatchObject({
        status: 'failed',
        error_code: 'ERROR_CODE_TRANSCRIPTION',
        error_detail: 'Error in transcription',
      });
      expect(await artifactsOf(body.encounter_id)).toEqual([]);
    });

    it.each([
      ['timeout', aTimeoutNotification, 'timed_out'],
      ['cancellation', aCancelledNotification, 'cancelled'],
    ])('records a %s and schedules one status check', async (_name, build, status) => {
      const body = build();
      expect(await postNotification(sut.baseUrl, body)).toEqual({ status: 200, body: { outcome: 'applied' } });
      expect(await session(body.session_id)).toMatchObject({ status });
      expect(await artifactsOf(body.encounter_id)).toEqual([
        { kind: 'status', status: 'pending', owner_id: body.session_id, session_id: body.session_id, last_error: null },
      ]);
    });

    it.each(['SUCCESS', 'Canceled', 'timed_out', 'session_cancelled', 'aborted'])(
      'maps the vendor status %s case-insensitively',
      async (vendorStatus) => {
        const body = aTimeoutNotification({ status: vendorStatus });
        const answer = await postNotification(sut.baseUrl, body);
        expect(answer).toEqual({ status: 200, body: { outcome: 'applied' } });
      },
    );

    it('records a link to another host as refused and never as work to do', async () => {
      const body = aSuccessNotification();
      (body._links as Record<string, unknown>).contents = [{ href: 'https://elsewhere.example/steal', method: 'GET' }];
      await postNotification(sut.baseUrl, body);
      const contents = (await artifactsOf(body.encounter_id)).find((a) => a.kind === 'contents');
      expect(contents).toMatchObject({ status: 'failed', last_error: expect.stringMatching(/^refused: /) });
    });
  });

  describe('duplicate', () => {
    it('answers the same generated-at and body again with duplicate and writes nothing new', async () => {
      const body = aSuccessNotification();
      const generatedAt = Date.now();
      expect((await postNotification(sut.baseUrl, body, { generatedAt })).body).toEqual({ outcome: 'applied' });
      const before = await countRows();
      expect(await postNotification(sut.baseUrl, body, { generatedAt })).toEqual({ status: 200, body: { outcome: 'duplicate' } });
      expect(await countRows()).toBe(before);
    });

    it('applies 50 simultaneous copies of one notification exactly once', async () => {
      const body = aSuccessNotification();
      const generatedAt = Date.now();
      const answers = await Promise.all(Array.from({ length: 50 }, () => postNotification(sut.baseUrl, body, { generatedAt })));
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      const outcomes = answers.map((answer) => answer.body.outcome);
      expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(49);
      expect(await deliveriesOf(body.session_id)).toHaveLength(1);
      expect(await artifactsOf(body.encounter_id)).toHaveLength(5);
    });
  });

  describe('stale and ordering', () => {
    it('keeps an older event in the timeline without applying it', async () => {
      const failure = aFailureNotification();
      const success = aSuccessNotification({ session_id: failure.session_id, encounter_id: failure.encounter_id });
      const now = Date.now();
      expect((await postNotification(sut.baseUrl, success, { generatedAt: now })).body).toEqual({ outcome: 'applied' });
      expect(await postNotification(sut.baseUrl, failure, { generatedAt: now - 1000 })).toEqual({
        status: 200,
        body: { outcome: 'stale' },
      });

      expect(await session(failure.session_id)).toMatchObject({ status: 'completed', error_code: null });
      expect(await encounter(failure.encounter_id)).toMatchObject({ status: 'completed' });
      expect((await deliveriesOf(failure.session_id)).map((d) => d.outcome)).toEqual(['applied', 'stale']);
    });

    it('applies a newer event over an older one', async () => {
      const timeout = aTimeoutNotification();
      const success = aSuccessNotification({ session_id: timeout.session_id, encounter_id: timeout.encounter_id });
      const now = Date.now();
      await postNotification(sut.baseUrl, timeout, { generatedAt: now - 5000 });
      expect((await postNotification(sut.baseUrl, success, { generatedAt: now })).body).toEqual({ outcome: 'applied' });
      expect(await session(timeout.session_id)).toMatchObject({ status: 'completed' });
    });

    it('breaks a tie on generated-at by arrival order', async () => {
      const failure = aFailureNotification();
      const cancelled = aCancelledNotification({ session_id: failure.session_id, encounter_id: failure.encounter_id });
      const generatedAt = Date.now();
      await postNotification(sut.baseUrl, failure, { generatedAt });
      expect((await postNotification(sut.baseUrl, cancelled, { generatedAt })).body).toEqual({ outcome: 'applied' });
      expect(await session(failure.session_id)).toMatchObject({ status: 'cancelled' });
    });

    it('ends racing events for one session in the state of the latest generated-at', async () => {
      const sessionId = `race-${Date.now()}`;
      const encounterId = `race-encounter-${Date.now()}`;
      const now = Date.now();
      const builders = [aSuccessNotification, aFailureNotification, aTimeoutNotification, aCancelledNotification];
      const events = Array.from({ length: 40 }, (_, i) => ({
        body: builders[i % 4]({ session_id: sessionId, encounter_id: encounterId, additional_info: { n: i } }),
        generatedAt: now - 60_000 + ((i * 7919) % 40) * 1000,
      }));
      const latest = events.reduce((a, b) => (b.generatedAt > a.generatedAt ? b : a));
      const answers = await Promise.all(events.map((e) => postNotification(sut.baseUrl, e.body, { generatedAt: e.generatedAt })));
      expect(answers.every((a) => a.status === 200)).toBe(true);

      const stored = await session(sessionId);
      expect(stored.additional_info).toEqual(latest.body.additional_info);
      expect(new Date(stored.last_event_at).getTime()).toBe(latest.generatedAt);
      expect((await encounter(encounterId)).status).toBe(stored.status);
      expect(await deliveriesOf(sessionId)).toHaveLength(40);
    });

    it('shows on the encounter the status of its session with the latest event', async () => {
      const encounterId = `enc-${Date.now()}`;
      const now = Date.now();
      await postNotification(sut.baseUrl, aSuccessNotification({ encounter_id: encounterId, session_id: `${encounterId}-b` }), {
        generatedAt: now,
      });
      await postNotification(sut.baseUrl, aFailureNotification({ encounter_id: encounterId, session_id: `${encounterId}-a` }), {
        generatedAt: now - 10_000,
      });
      expect(await encounter(encounterId)).toMatchObject({ status: 'completed' });
    });
  });

  describe('unrecognized', () => {
    it('answers 202, keeps the delivery verbatim, makes the session known as pending and schedules a status check', async () => {
      const body = aSuccessNotification({ status: 'in_progress' });
      const raw = JSON.stringify(body);
      expect(await postNotification(sut.baseUrl, body, { raw })).toEqual({ status: 202, body: { outcome: 'unrecognized' } });
      expect(await session(body.session_id)).toMatchObject({ status: 'pending' });
      const [delivery] = await deliveriesOf(body.session_id);
      expect(delivery).toMatchObject({ outcome: 'unrecognized', vendor_status: 'in_progress' });
      expect(delivery.raw_body.toString()).toBe(raw);
      expect((await artifactsOf(body.encounter_id)).map((a) => a.kind)).toEqual(['status']);
    });

    it('does not change the status of a known session', async () => {
      const failure = aFailureNotification();
      await postNotification(sut.baseUrl, failure);
      const answer = await postNotification(sut.baseUrl, { ...failure, status: 'something_new' });
      expect(answer.status).toBe(202);
      expect(await session(failure.session_id)).toMatchObject({ status: 'failed' });
    });
  });

  describe('authentic but unusable: 400, recorded', () => {
    it.each([
      ['not JSON', '{"session_id": "s", oops'],
      ['a JSON array', '[{"session_id":"s"}]'],
      ['no session_id', JSON.stringify({ encounter_id: 'e', status: 'success' })],
      ['no encounter_id', JSON.stringify({ session_id: 's', status: 'success' })],
      ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d])],
      ['a lone surrogate in session_id', '{"session_id":"s\\ud800","encounter_id":"e","status":"success"}'],
    ])('%s', async (_name, raw) => {
      const rawBuffer = Buffer.from(raw as string | Buffer);
      const answer = await postNotification(sut.baseUrl, null, { raw: rawBuffer });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
      const rows = await db.query('SELECT raw_body, outcome FROM deliveries WHERE raw_body = $1', [rawBuffer]);
      expect(rows).toEqual([{ raw_body: rawBuffer, outcome: 'rejected' }]);
    });
  });

  describe('refused before reading: nothing written', () => {
    const body = () => aSuccessNotification();

    it.each([
      ['missing generated-at', { headers: { 'generated-at': '' } }],
      ['malformed generated-at', { generatedAt: 'yesterday' }],
      // Margins beyond the 300 s window that survive the time between table and test.
      ['generated-at too old', { generatedAt: Date.now() - 400_000 }],
      ['generated-at too far ahead', { generatedAt: Date.now() + 400_000 }],
      ['missing X-API-Key', { headers: { 'x-api-key': '' } }],
      ['malformed X-API-Key', { headers: { 'x-api-key': 'not-a-signature' } }],
      ['signature by another secret', { secret: 'some-other-secret' }],
    ])('401 for %s', async (_name, options) => {
      const before = await countRows();
      const answer = await postNotification(sut.baseUrl, body(), options);
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      expect(await countRows()).toBe(before);
    });

    it('401 for a body changed after signing, without echoing the signature', async () => {
      const sent = body();
      const original = JSON.stringify(sent);
      const before = await countRows();
      const response = await fetch(`${sut.baseUrl}/webhooks/notification`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'generated-at': String(Date.now()), 'x-api-key': 'ab'.repeat(32) },
        body: original,
      });
      const text = await response.text();
      expect(response.status).toBe(401);
      expect(text).not.toContain('ab'.repeat(32));
      expect(text).not.toContain(sent.session_id);
      expect(await countRows()).toBe(before);
    });

    it('413 for a body over the size limit', async () => {
      const before = await countRows();
      const huge = aSuccessNotification({ additional_info: { padding: 'x'.repeat(1_100_000) } });
      const answer = await postNotification(sut.baseUrl, huge);
      expect(answer.status).toBe(413);
      expect(answer.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
      expect(await countRows()).toBe(before);
    });

    it('415 for a body that is not JSON by content type', async () => {
      const before = await countRows();
      const answer = await postNotification(sut.baseUrl, body(), { headers: { 'content-type': 'text/plain' } });
      expect(answer.status).toBe(415);
      expect(answer.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
      expect(await countRows()).toBe(before);
    });
  });

  describe('hostile but authentic content never becomes a 5xx', () => {
    it.each([
      [
        'a NUL character in additional_info',
        '{"session_id":"nul-%ID","encounter_id":"e-%ID","status":"success","additional_info":{"note":"a\\u0000b"}}',
      ],
      ['a lone surrogate in error_detail', '{"session_id":"sur-%ID","encounter_id":"e-%ID","status":"failure","error_detail":"\\ud800"}'],
      [
        'a lone surrogate in the sessions array',
        '{"session_id":"sess-%ID","encounter_id":"e-%ID","status":"success","sessions":["\\udfff","ok-%ID"]}',
      ],
      [
        'a deeply nested additional_info',
        `{"session_id":"deep-%ID","encounter_id":"e-%ID","status":"success","additional_info":${'['.repeat(2000)}${']'.repeat(2000)}}`,
      ],
      [
        'an unknown link kind and odd link shapes',
        '{"session_id":"links-%ID","encounter_id":"e-%ID","status":"success","_links":{"contents":"nope","transcripts":[null,{"href":7}],"mystery":[{"href":"/x"}]}}',
      ],
    ])('%s is stored and acknowledged', async (_name, template) => {
      const id = `${Date.now()}-${Math.random()}`;
      const raw = template.replace(/%ID/g, id);
      const answer = await postNotification(sut.baseUrl, null, { raw });
      expect(answer.status).toBe(200);
      const rows = await db.query('SELECT raw_body FROM deliveries WHERE raw_body = $1', [Buffer.from(raw)]);
      expect(rows).toHaveLength(1);
      expect(await session((JSON.parse(raw) as { session_id: unknown }).session_id)).toBeDefined();
    });
  });
});
