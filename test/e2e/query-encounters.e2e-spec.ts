import { randomUUID } from 'node:crypto';
import { aCancelledNotification, aFailureNotification, aSuccessNotification } from '../support/notifications';
import type { ErrorBody } from '../../src/common/http-error';
import type { ArtifactOutput } from '../../src/query/artifact.output';
import type { EncounterOutput, EncounterPageOutput, EncounterSummaryOutput } from '../../src/query/encounter.output';
import { ApiAnswer, ISO_UTC, markArtifactReady, useQueryApp } from './query.support';

describe('query API: encounters', () => {
  const { db, get, post } = useQueryApp();

  describe('GET /v1/encounters/{encounterId}', () => {
    it('shows the status of the session with the latest vendor event, its sessions and encounter-level artifacts', async () => {
      const encounterId = randomUUID();
      const [first, second, named] = [randomUUID(), randomUUID(), randomUUID()];
      const t0 = Date.now() - 60_000;
      await post(aSuccessNotification({ session_id: first, encounter_id: encounterId, sessions: [first, named] }), t0);
      await post(aFailureNotification({ session_id: second, encounter_id: encounterId }), t0 + 2_000);
      // A later-arriving success whose vendor event is older does not change the encounter's status.
      await post(aSuccessNotification({ session_id: named, encounter_id: encounterId, sessions: [] }), t0 + 1_000);

      const answer = await get<EncounterOutput>(`/v1/encounters/${encounterId}`);

      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        encounterId,
        status: 'failed',
        lastEventAt: new Date(t0 + 2_000).toISOString(),
        createdAt: expect.stringMatching(ISO_UTC),
        updatedAt: expect.stringMatching(ISO_UTC),
        sessionCount: 3,
        sessions: expect.any(Array),
        artifacts: expect.any(Array),
      });
      expect(answer.body.sessions).toHaveLength(3);
      expect(answer.body.sessions).toEqual(
        expect.arrayContaining([
          { sessionId: first, status: 'completed', lastEventAt: new Date(t0).toISOString(), updatedAt: expect.stringMatching(ISO_UTC) },
          {
            sessionId: second,
            status: 'failed',
            lastEventAt: new Date(t0 + 2_000).toISOString(),
            updatedAt: expect.stringMatching(ISO_UTC),
          },
          {
            sessionId: named,
            status: 'completed',
            lastEventAt: new Date(t0 + 1_000).toISOString(),
            updatedAt: expect.stringMatching(ISO_UTC),
          },
        ]),
      );
      // Most recently updated first.
      expect(answer.body.sessions[0].sessionId).toBe(named);
      expect(answer.body.artifacts.map((a) => a.kind).sort()).toEqual(['encounter_content', 'encounter_structured_data']);
      expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
      // The list shows the same encounter, less its sessions and artifacts.
      const { sessions: _sessions, sessionCount: _count, artifacts: _artifacts, ...summary } = answer.body;
      const listed = await get<EncounterPageOutput>(`/v1/encounters?updatedSince=${encodeURIComponent(answer.body.updatedAt)}&limit=200`);
      expect(listed.body.items).toContainEqual(summary);
    });

    it('lists a session known only by name as pending', async () => {
      const encounterId = randomUUID();
      const named = randomUUID();
      await post(aCancelledNotification({ encounter_id: encounterId }));
      await post(aSuccessNotification({ encounter_id: encounterId, sessions: [named] }));
      const answer = await get<EncounterOutput>(`/v1/encounters/${encounterId}`);
      expect(answer.body.sessions).toContainEqual({
        sessionId: named,
        status: 'pending',
        lastEventAt: null,
        updatedAt: expect.stringMatching(ISO_UTC),
      });
      expect(answer.body.status).toBe('completed');
    });

    it('answers 404 for an unknown encounter', async () => {
      expect(await get(`/v1/encounters/${randomUUID()}`)).toMatchObject({ status: 404, body: { message: 'encounter not found' } });
      expect((await get(`/v1/encounters/${'y'.repeat(400)}`)).status).toBe(404);
    });
  });

  describe('GET /v1/encounters/{encounterId}/artifacts/{kind}', () => {
    it('returns the encounter-level JSON Suki returned', async () => {
      const body = aSuccessNotification();
      const encounterId = body.encounter_id;
      await post(body);
      const content = { encounter_id: encounterId, summary: [{ title: 'Plan', content: 'follow up in two weeks' }] };
      await markArtifactReady(db(), encounterId, 'encounter_content', content);

      const answer = await get<ArtifactOutput>(`/v1/encounters/${encounterId}/artifacts/encounter_content`);

      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        kind: 'encounter_content',
        status: 'ready',
        attempts: expect.any(Number),
        fetchedAt: expect.stringMatching(ISO_UTC),
        lastError: null,
        nextAttemptAt: null,
        simulated: false,
        purgedAt: null,
        data: content,
      });
      const encounter = await get<EncounterOutput>(`/v1/encounters/${encounterId}`);
      expect(encounter.body.artifacts).toContainEqual(expect.objectContaining({ kind: 'encounter_content', status: 'ready' }));
    });

    it('answers 404 for a kind the encounter does not have, pointing session-level kinds to the session', async () => {
      const body = aFailureNotification();
      await post(body);
      const missing = await get(`/v1/encounters/${body.encounter_id}/artifacts/encounter_content`);
      expect(missing).toMatchObject({ status: 404, body: { message: 'the encounter has no encounter_content artifact' } });
      const sessionLevel = await get<ErrorBody>(`/v1/encounters/${body.encounter_id}/artifacts/contents`);
      expect(sessionLevel.status).toBe(404);
      expect(sessionLevel.body.message).toContain('/v1/sessions/{sessionId}/artifacts/contents');
      expect(await get(`/v1/encounters/${randomUUID()}/artifacts/encounter_content`)).toMatchObject({
        status: 404,
        body: { message: 'encounter not found' },
      });
      const unknownKind = await get<ErrorBody>(`/v1/encounters/${body.encounter_id}/artifacts/ENCOUNTER_CONTENT`);
      expect(unknownKind.status).toBe(400);
      expect(unknownKind.body.message).toMatch(/^kind must be one of: /);
    });
  });

  describe('GET /v1/encounters', () => {
    it('pages all encounters newest first, each once, and filters by status and updatedSince', async () => {
      const failed = new Set<string>();
      for (let i = 0; i < 12; i += 1) {
        const body = i % 3 === 0 ? aFailureNotification() : aSuccessNotification();
        await post(body);
        if (i % 3 === 0) failed.add(body.encounter_id);
      }
      const walk = async (query: string) => {
        const items: EncounterSummaryOutput[] = [];
        let cursor: string | null = null;
        do {
          const answer: ApiAnswer<EncounterPageOutput> = await get(`/v1/encounters?${query}${cursor ? `&cursor=${cursor}` : ''}`);
          expect(answer.status).toBe(200);
          items.push(...answer.body.items);
          cursor = answer.body.nextCursor;
        } while (cursor);
        return items;
      };

      const all = await walk('limit=5');
      const ids = all.map((item) => item.encounterId);
      expect(new Set(ids).size).toBe(ids.length);
      const total = (await db().query<{ n: number }>('SELECT count(*)::int AS n FROM encounters'))[0].n;
      expect(ids).toHaveLength(total);
      for (let i = 1; i < all.length; i += 1) expect(all[i - 1].updatedAt >= all[i].updatedAt).toBe(true);
      expect(Object.keys(all[0]).sort()).toEqual(['createdAt', 'encounterId', 'lastEventAt', 'status', 'updatedAt']);

      const failedOnes = await walk('status=failed&limit=2');
      expect(failedOnes.every((item) => item.status === 'failed')).toBe(true);
      for (const id of failed) expect(failedOnes.map((item) => item.encounterId)).toContain(id);

      const newest = all[0];
      const since = await walk(`updatedSince=${encodeURIComponent(newest.updatedAt)}`);
      expect(since.map((item) => item.encounterId)).toContain(newest.encounterId);
      expect(since.every((item) => item.updatedAt >= newest.updatedAt)).toBe(true);
    });

    it.each([
      ['status=done', 'status must be one of'],
      ['limit=500', 'limit must be a whole number from 1 to 200'],
      ['updatedSince=27/11/2026', 'updatedSince must be an ISO-8601'],
      ['cursor=abc.def', 'cursor is not a cursor'],
      ['encounterId=x', 'property encounterId should not exist'],
    ])('answers 400 to %s, naming the parameter', async (query, message) => {
      const answer = await get<ErrorBody>(`/v1/encounters?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.body.message).toContain(message);
    });
  });
});
