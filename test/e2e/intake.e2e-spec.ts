import type { EncounterOutput } from '../../src/query/encounter.output';
import type { SessionEventOutput, SessionEventsOutput, SessionOutput } from '../../src/query/session.output';
import {
  aCancelledNotification,
  aFailureNotification,
  aSuccessNotification,
  aTimeoutNotification,
  postDocumentedNotification as postNotification,
} from '../support/notifications';
import { useTestApp } from '../support/use-test-app';

/**
 * Every row of the answers table (docs/api.md), through the front door: notifications go
 * in through the webhook and what they did is read back through the query API, both checked
 * against the OpenAPI document. SQL only for what no API serves, each saying so.
 */
describe('POST /webhooks/notification', () => {
  const { db, sut, get } = useTestApp({ env: { RETRIEVAL_ENABLED: 'false' } });

  const session = async (id: string) => (await get<SessionOutput>(`/v1/sessions/${encodeURIComponent(id)}`)).body;
  const encounter = async (id: string) => (await get<EncounterOutput>(`/v1/encounters/${encodeURIComponent(id)}`)).body;
  /** The session's timeline: every delivery for it but exact repeats, in vendor-time order. */
  const eventsOf = async (sessionId: string): Promise<SessionEventOutput[]> =>
    (await get<SessionEventsOutput>(`/v1/sessions/${encodeURIComponent(sessionId)}/events`)).body.events;
  /** Every artifact of the encounter: its own, and those of each of its sessions, with their owner. */
  const artifactsOf = async (encounterId: string) => {
    const { artifacts, sessions } = await encounter(encounterId);
    const own = artifacts.map((artifact) => ({
      kind: artifact.kind,
      status: artifact.status,
      owner: encounterId,
      lastError: artifact.lastError,
    }));
    const ofSessions = await Promise.all(
      sessions.map(async ({ sessionId }) =>
        (await session(sessionId)).artifacts.map((artifact) => ({
          kind: artifact.kind,
          status: artifact.status,
          owner: sessionId,
          lastError: artifact.lastError,
        })),
      ),
    );
    return [...own, ...ofSessions.flat()].sort((a, b) => a.kind.localeCompare(b.kind));
  };
  // The API serves no raw body: the bytes as received are read where they are kept.
  const rawBodiesOf = async (sessionId: string) =>
    (await db().query<{ raw_body: Buffer }>('SELECT raw_body FROM deliveries WHERE session_id = $1 ORDER BY id', [sessionId])).map((row) =>
      row.raw_body.toString('utf8'),
    );
  // "Writes nothing" covers every table, rejected deliveries included: no API counts rows.
  const countRows = async () =>
    (
      await db().query(
        'SELECT (SELECT count(*) FROM deliveries) + (SELECT count(*) FROM sessions) + (SELECT count(*) FROM encounters) + (SELECT count(*) FROM artifacts) AS n',
      )
    )[0].n;

  describe('applied', () => {
    it('records delivery, encounter, session and retrieval work of a success, keeping additional_info and _links', async () => {
      const body = aSuccessNotification();
      const raw = JSON.stringify(body);
      expect(await postNotification(sut().baseUrl, body, { raw })).toEqual({ status: 200, body: { outcome: 'applied' } });

      expect(await session(body.session_id)).toMatchObject({
        status: 'completed',
        encounterId: body.encounter_id,
        additionalInfo: { priority: 'high' },
      });
      // The API does not serve `_links` (it serves what was fetched through them).
      const [stored] = await db().query<{ links: unknown }>('SELECT links FROM sessions WHERE id = $1', [body.session_id]);
      expect(stored.links).toEqual(body._links);
      expect(await encounter(body.encounter_id)).toMatchObject({ status: 'completed' });
      const events = await eventsOf(body.session_id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ outcome: 'applied', vendorStatus: 'success' });
      expect(await rawBodiesOf(body.session_id)).toEqual([raw]);
      const artifacts = await artifactsOf(body.encounter_id);
      expect(artifacts.map((a) => [a.kind, a.status, a.owner]).sort()).toEqual([
        ['contents', 'pending', body.session_id],
        ['encounter_content', 'pending', body.encounter_id],
        ['encounter_structured_data', 'pending', body.encounter_id],
        ['structured_data', 'pending', body.session_id],
        ['transcripts', 'pending', body.session_id],
      ]);
    });

    it('makes every session of the sessions array a known, pending session of the encounter', async () => {
      const body = aSuccessNotification({ sessions: ['earlier-session-1', 'earlier-session-2'] });
      await postNotification(sut().baseUrl, body);
      for (const id of ['earlier-session-1', 'earlier-session-2']) {
        expect(await session(id)).toMatchObject({ status: 'pending', encounterId: body.encounter_id, lastEventAt: null });
      }
    });

    it('keeps error code and detail of a failure', async () => {
      const body = aFailureNotification();
      expect(await postNotification(sut().baseUrl, body)).toEqual({ status: 200, body: { outcome: 'applied' } });
      expect(await session(body.session_id)).toMatchObject({
        status: 'failed',
        errorCode: 'ERROR_CODE_TRANSCRIPTION',
        errorDetail: 'Error in transcription',
      });
      expect(await artifactsOf(body.encounter_id)).toEqual([]);
    });

    it.each([
      ['timeout', aTimeoutNotification, 'timed_out'],
      ['cancellation', aCancelledNotification, 'cancelled'],
    ])('records a %s and schedules one status check', async (_name, build, status) => {
      const body = build();
      expect(await postNotification(sut().baseUrl, body)).toEqual({ status: 200, body: { outcome: 'applied' } });
      expect(await session(body.session_id)).toMatchObject({ status });
      expect(await artifactsOf(body.encounter_id)).toEqual([
        { kind: 'status', status: 'pending', owner: body.session_id, lastError: null },
      ]);
    });

    it.each(['SUCCESS', 'Canceled', 'timed_out', 'session_cancelled', 'aborted'])(
      'maps the vendor status %s case-insensitively',
      async (vendorStatus) => {
        const body = aTimeoutNotification({ status: vendorStatus });
        const answer = await postNotification(sut().baseUrl, body);
        expect(answer).toEqual({ status: 200, body: { outcome: 'applied' } });
      },
    );

    it('records a link to another host as refused and never as work to do', async () => {
      const body = aSuccessNotification();
      (body._links as Record<string, unknown>).contents = [{ href: 'https://elsewhere.example/steal', method: 'GET' }];
      await postNotification(sut().baseUrl, body);
      const contents = (await artifactsOf(body.encounter_id)).find((a) => a.kind === 'contents');
      expect(contents).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/^refused: /) });
    });
  });

  describe('duplicate', () => {
    it('answers the same generated-at and body again with duplicate and writes nothing new', async () => {
      const body = aSuccessNotification();
      const generatedAt = Date.now();
      expect((await postNotification(sut().baseUrl, body, { generatedAt })).body).toEqual({ outcome: 'applied' });
      const before = await countRows();
      expect(await postNotification(sut().baseUrl, body, { generatedAt })).toEqual({ status: 200, body: { outcome: 'duplicate' } });
      expect(await countRows()).toBe(before);
    });

    it('applies 50 simultaneous copies of one notification exactly once', async () => {
      const body = aSuccessNotification();
      const generatedAt = Date.now();
      const answers = await Promise.all(Array.from({ length: 50 }, () => postNotification(sut().baseUrl, body, { generatedAt })));
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      const outcomes = answers.map((answer) => answer.body.outcome);
      expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(49);
      expect(await eventsOf(body.session_id)).toHaveLength(1);
      expect(await artifactsOf(body.encounter_id)).toHaveLength(5);
    });
  });

  describe('stale and ordering', () => {
    it('keeps an older event in the timeline without applying it', async () => {
      const failure = aFailureNotification();
      const success = aSuccessNotification({ session_id: failure.session_id, encounter_id: failure.encounter_id });
      const now = Date.now();
      expect((await postNotification(sut().baseUrl, success, { generatedAt: now })).body).toEqual({ outcome: 'applied' });
      expect(await postNotification(sut().baseUrl, failure, { generatedAt: now - 1000 })).toEqual({
        status: 200,
        body: { outcome: 'stale' },
      });

      expect(await session(failure.session_id)).toMatchObject({ status: 'completed', errorCode: null });
      expect(await encounter(failure.encounter_id)).toMatchObject({ status: 'completed' });
      // In vendor time: the older failure first, kept as stale; then the success that applied.
      expect((await eventsOf(failure.session_id)).map((e) => [e.vendorStatus, e.outcome])).toEqual([
        ['failure', 'stale'],
        ['success', 'applied'],
      ]);
    });

    it('applies a newer event over an older one', async () => {
      const timeout = aTimeoutNotification();
      const success = aSuccessNotification({ session_id: timeout.session_id, encounter_id: timeout.encounter_id });
      const now = Date.now();
      await postNotification(sut().baseUrl, timeout, { generatedAt: now - 5000 });
      expect((await postNotification(sut().baseUrl, success, { generatedAt: now })).body).toEqual({ outcome: 'applied' });
      expect(await session(timeout.session_id)).toMatchObject({ status: 'completed' });
    });

    it('breaks a tie on generated-at by arrival order', async () => {
      const failure = aFailureNotification();
      const cancelled = aCancelledNotification({ session_id: failure.session_id, encounter_id: failure.encounter_id });
      const generatedAt = Date.now();
      await postNotification(sut().baseUrl, failure, { generatedAt });
      expect((await postNotification(sut().baseUrl, cancelled, { generatedAt })).body).toEqual({ outcome: 'applied' });
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
      const answers = await Promise.all(events.map((e) => postNotification(sut().baseUrl, e.body, { generatedAt: e.generatedAt })));
      expect(answers.every((a) => a.status === 200)).toBe(true);

      const stored = await session(sessionId);
      expect(stored.additionalInfo).toEqual(latest.body.additional_info);
      expect(new Date(stored.lastEventAt!).getTime()).toBe(latest.generatedAt);
      expect((await encounter(encounterId)).status).toBe(stored.status);
      expect(await eventsOf(sessionId)).toHaveLength(40);
    });

    it('shows on the encounter the status of its session with the latest event', async () => {
      const encounterId = `enc-${Date.now()}`;
      const now = Date.now();
      await postNotification(sut().baseUrl, aSuccessNotification({ encounter_id: encounterId, session_id: `${encounterId}-b` }), {
        generatedAt: now,
      });
      await postNotification(sut().baseUrl, aFailureNotification({ encounter_id: encounterId, session_id: `${encounterId}-a` }), {
        generatedAt: now - 10_000,
      });
      expect(await encounter(encounterId)).toMatchObject({ status: 'completed' });
    });
  });

  describe('unrecognized', () => {
    it('answers 202, keeps the delivery verbatim, makes the session known as pending and schedules a status check', async () => {
      const body = aSuccessNotification({ status: 'in_progress' });
      const raw = JSON.stringify(body);
      expect(await postNotification(sut().baseUrl, body, { raw })).toEqual({ status: 202, body: { outcome: 'unrecognized' } });
      expect(await session(body.session_id)).toMatchObject({ status: 'pending' });
      const [event] = await eventsOf(body.session_id);
      expect(event).toMatchObject({ outcome: 'unrecognized', vendorStatus: 'in_progress' });
      expect(await rawBodiesOf(body.session_id)).toEqual([raw]);
      expect((await artifactsOf(body.encounter_id)).map((a) => a.kind)).toEqual(['status']);
    });

    it('does not change the status of a known session', async () => {
      const failure = aFailureNotification();
      await postNotification(sut().baseUrl, failure);
      const answer = await postNotification(sut().baseUrl, { ...failure, status: 'something_new' });
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
      const answer = await postNotification(sut().baseUrl, null, { raw: rawBuffer });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
      // A rejected delivery belongs to no session, so no API shows it: it is read where it is kept.
      const rows = await db().query('SELECT raw_body, outcome FROM deliveries WHERE raw_body = $1', [rawBuffer]);
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
      const answer = await postNotification(sut().baseUrl, body(), options);
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      expect(await countRows()).toBe(before);
    });

    it('401 for a body changed after signing, without echoing the signature', async () => {
      const sent = body();
      const original = JSON.stringify(sent);
      const before = await countRows();
      const response = await fetch(`${sut().baseUrl}/webhooks/notification`, {
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
      const answer = await postNotification(sut().baseUrl, huge);
      expect(answer.status).toBe(413);
      expect(answer.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
      expect(await countRows()).toBe(before);
    });

    it('415 for a body that is not JSON by content type', async () => {
      const before = await countRows();
      const answer = await postNotification(sut().baseUrl, body(), { headers: { 'content-type': 'text/plain' } });
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
      const answer = await postNotification(sut().baseUrl, null, { raw });
      expect(answer.status).toBe(200);
      // The bytes as received, which no API serves.
      const rows = await db().query('SELECT raw_body FROM deliveries WHERE raw_body = $1', [Buffer.from(raw)]);
      expect(rows).toHaveLength(1);
      const sessionId = (JSON.parse(raw) as { session_id: string }).session_id;
      expect((await get(`/v1/sessions/${encodeURIComponent(sessionId)}`)).status).toBe(200);
    });
  });
});
