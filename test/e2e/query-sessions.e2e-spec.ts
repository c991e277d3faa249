import { randomUUID } from 'node:crypto';
import { startTestApp } from '../support/test-app';
import { aFailureNotification, aSuccessNotification, aTimeoutNotification } from '../support/notifications';
import type { ErrorBody } from '../../src/common/http-error';
import type { ArtifactOutput } from '../../src/query/artifact.output';
import type { SessionOutput, SessionPageOutput } from '../../src/query/session.output';
import { ISO_UTC, markArtifactReady, queryApi, useQueryApp } from './query.support';

describe('query API: sessions', () => {
  const { db, get, post } = useQueryApp();

  describe('GET /v1/sessions/{sessionId}', () => {
    it('returns a completed session with its session-level artifacts, without their data', async () => {
      const sessionId = randomUUID();
      const sibling = randomUUID();
      const generatedAt = Date.now() - 5_000;
      await post(aSuccessNotification({ session_id: sessionId, sessions: [sessionId, sibling] }), generatedAt);
      const encounterId = (await db().query<{ encounter_id: string }>('SELECT encounter_id FROM sessions WHERE id = $1', [sessionId]))[0]
        .encounter_id;

      const answer = await get<SessionOutput>(`/v1/sessions/${sessionId}`);

      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        sessionId,
        encounterId,
        status: 'completed',
        source: 'notification',
        errorCode: null,
        errorDetail: null,
        additionalInfo: { priority: 'high' },
        lastEventAt: new Date(generatedAt).toISOString(),
        createdAt: expect.stringMatching(ISO_UTC),
        updatedAt: expect.stringMatching(ISO_UTC),
        artifacts: expect.any(Array),
      });
      expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(answer.body.artifacts.map((a) => a.kind).sort()).toEqual(['contents', 'structured_data', 'transcripts']);
      // The list shows the same session, less its artifacts.
      const { artifacts: _artifacts, ...summary } = answer.body;
      const listed = await get<SessionPageOutput>(`/v1/sessions?encounterId=${encounterId}`);
      expect(listed.body.items).toContainEqual(summary);
      for (const artifact of answer.body.artifacts) {
        expect(Object.keys(artifact).sort()).toEqual([
          'attempts',
          'fetchedAt',
          'kind',
          'lastError',
          'nextAttemptAt',
          'simulated',
          'status',
        ]);
        expect(['pending', 'ready', 'failed']).toContain(artifact.status);
      }
    });

    it('returns a session known only by name as pending, without a vendor event time', async () => {
      const sessionId = randomUUID();
      const sibling = randomUUID();
      await post(aSuccessNotification({ session_id: sessionId, sessions: [sessionId, sibling] }), Date.now());

      const answer = await get(`/v1/sessions/${sibling}`);

      expect(answer.status).toBe(200);
      // Its only artifact is the poll that reconciles it if its own notification never comes.
      expect(answer.body).toMatchObject({
        sessionId: sibling,
        status: 'pending',
        source: 'registered',
        lastEventAt: null,
        errorCode: null,
        artifacts: [{ kind: 'status', status: 'pending', attempts: 0 }],
      });
    });

    it('says why a session failed', async () => {
      const body = aFailureNotification({ error_code: 'ERROR_CODE_TRANSCRIPTION', error_detail: 'Error in transcription' });
      await post(body, Date.now());

      const answer = await get(`/v1/sessions/${body.session_id}`);

      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        sessionId: body.session_id,
        encounterId: body.encounter_id,
        status: 'failed',
        errorCode: 'ERROR_CODE_TRANSCRIPTION',
        errorDetail: 'Error in transcription',
        additionalInfo: null,
        artifacts: [],
      });
    });

    it.each([
      ['an unknown id', randomUUID()],
      ['an id longer than any stored one', 'x'.repeat(300)],
      ['an id with a NUL', 'a%00b'],
      ['an id with a control character', 'a%0Ab'],
    ])('answers 404 for %s', async (_case, id) => {
      const answer = await get(`/v1/sessions/${id}`);
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'session not found' });
    });
  });

  describe('GET /v1/sessions/{sessionId}/events', () => {
    it('lists the deliveries in vendor-time order with their outcome; exact repeats are not stored', async () => {
      const sessionId = randomUUID();
      const encounterId = randomUUID();
      const t0 = Date.now() - 60_000;
      const timeout = aTimeoutNotification({ session_id: sessionId, encounter_id: encounterId });
      expect(await post(timeout, t0 + 2_000)).toBe('applied');
      expect(await post(aFailureNotification({ session_id: sessionId, encounter_id: encounterId }), t0)).toBe('stale');
      expect(await post({ session_id: sessionId, encounter_id: encounterId, status: 'paused' }, t0 + 4_000)).toBe('unrecognized');
      expect(await post(timeout, t0 + 2_000)).toBe('duplicate');

      const answer = await get(`/v1/sessions/${sessionId}/events`);

      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        sessionId,
        events: [
          {
            generatedAt: new Date(t0).toISOString(),
            receivedAt: expect.stringMatching(ISO_UTC),
            vendorStatus: 'failure',
            outcome: 'stale',
          },
          {
            generatedAt: new Date(t0 + 2_000).toISOString(),
            receivedAt: expect.stringMatching(ISO_UTC),
            vendorStatus: 'timeout',
            outcome: 'applied',
          },
          {
            generatedAt: new Date(t0 + 4_000).toISOString(),
            receivedAt: expect.stringMatching(ISO_UTC),
            vendorStatus: 'paused',
            outcome: 'unrecognized',
          },
        ],
      });
      // The session reflects the latest recognised event, and says so.
      const session = await get(`/v1/sessions/${sessionId}`);
      expect(session.body).toMatchObject({ status: 'timed_out', lastEventAt: new Date(t0 + 2_000).toISOString() });
    });

    it('answers an empty timeline for a session known only by name', async () => {
      const sibling = randomUUID();
      await post(aSuccessNotification({ sessions: [sibling] }), Date.now());
      expect(await get(`/v1/sessions/${sibling}/events`)).toMatchObject({ status: 200, body: { sessionId: sibling, events: [] } });
    });

    it('answers 404 for an unknown session', async () => {
      expect((await get(`/v1/sessions/${randomUUID()}/events`)).status).toBe(404);
    });
  });

  describe('GET /v1/sessions/{sessionId}/artifacts/{kind}', () => {
    it('returns the JSON Suki returned once the artifact is ready, and null data before', async () => {
      const body = aSuccessNotification();
      const sessionId = body.session_id;
      await post(body, Date.now());
      const note = { summary: [{ title: 'Assessment', content: 'stable' }], session_id: sessionId };
      await markArtifactReady(db(), sessionId, 'contents', note);

      const ready = await get<ArtifactOutput>(`/v1/sessions/${sessionId}/artifacts/contents`);

      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({
        kind: 'contents',
        status: 'ready',
        attempts: expect.any(Number),
        fetchedAt: expect.stringMatching(ISO_UTC),
        lastError: null,
        nextAttemptAt: null,
        simulated: false,
        purgedAt: null,
        data: note,
      });
      const session = await get<SessionOutput>(`/v1/sessions/${sessionId}`);
      expect(session.body.artifacts).toContainEqual({
        kind: 'contents',
        status: 'ready',
        attempts: ready.body.attempts,
        fetchedAt: ready.body.fetchedAt,
        lastError: null,
        nextAttemptAt: null,
        simulated: false,
      });

      // Held back from the worker so that it stays pending whatever a retrieval worker does.
      await db().query(
        `UPDATE artifacts SET status = 'pending', data = '{"old":true}', next_attempt_at = now() + interval '1 hour', generation = generation + 1 WHERE owner_id = $1 AND kind = 'transcripts'`,
        [sessionId],
      );
      const pending = await get(`/v1/sessions/${sessionId}/artifacts/transcripts`);
      expect(pending.status).toBe(200);
      expect(pending.body).toMatchObject({
        kind: 'transcripts',
        status: 'pending',
        data: null,
        nextAttemptAt: expect.stringMatching(ISO_UTC),
      });
    });

    it('answers 404 for a kind the session does not have, pointing encounter-level kinds to the encounter', async () => {
      const body = aFailureNotification();
      await post(body, Date.now());
      const missing = await get(`/v1/sessions/${body.session_id}/artifacts/contents`);
      expect(missing).toMatchObject({ status: 404, body: { message: 'the session has no contents artifact' } });
      const encounterLevel = await get<ErrorBody>(`/v1/sessions/${body.session_id}/artifacts/encounter_content`);
      expect(encounterLevel.status).toBe(404);
      expect(encounterLevel.body.message).toContain('/v1/encounters/{encounterId}/artifacts/encounter_content');
    });

    it('answers 404 for an unknown session and 400 naming an unknown kind', async () => {
      expect(await get(`/v1/sessions/${randomUUID()}/artifacts/contents`)).toMatchObject({
        status: 404,
        body: { message: 'session not found' },
      });
      const unknownKind = await get<ErrorBody>(`/v1/sessions/${randomUUID()}/artifacts/notes`);
      expect(unknownKind.status).toBe(400);
      expect(unknownKind.body.message).toMatch(/^kind must be one of: contents, /);
    });
  });

  describe('authentication', () => {
    const sessionPath = () => `/v1/sessions/${randomUUID()}`;

    it.each([
      ['no Authorization header', { token: null }],
      ['an unknown token', { token: 'not-the-token' }],
      ['a prefix of the token', { token: 'test-internal' }],
      ['the token with a suffix', { token: 'test-internal-token2' }],
      ['another scheme', { authorization: 'Basic dGVzdC1pbnRlcm5hbC10b2tlbg==' }],
      ['the bare token', { authorization: 'test-internal-token' }],
    ])('answers 401 to %s, before looking anything up', async (_case, options) => {
      for (const path of [
        sessionPath(),
        `${sessionPath()}/events`,
        `${sessionPath()}/artifacts/nope`,
        '/v1/sessions?limit=0',
        '/v1/encounters',
        `/v1/encounters/${randomUUID()}`,
      ]) {
        const answer = await get(path, options);
        expect(answer.status).toBe(401);
        expect(answer.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
        expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer /);
      }
    });

    it('accepts every configured token', async () => {
      const second = await startTestApp(db().url, { INTERNAL_API_TOKENS: 'first-token-0123456789, second-token-0123456789' });
      try {
        const api = queryApi(second.baseUrl);
        expect((await api('/v1/sessions', { token: 'first-token-0123456789' })).status).toBe(200);
        expect((await api('/v1/sessions', { token: 'second-token-0123456789' })).status).toBe(200);
        expect((await api('/v1/sessions', { token: 'test-internal-token' })).status).toBe(401);
      } finally {
        await second.close();
      }
    });
  });
});
