import { randomUUID } from 'node:crypto';
import { aFailureNotification, aSuccessNotification, aTimeoutNotification } from '../support/notifications';
import type { SessionPageOutput, SessionSummaryOutput } from '../../src/query/session.output';
import { ApiAnswer, useQueryApp } from './query.support';

/** Runs tasks with at most `width` in flight. */
async function inParallel<T>(items: T[], width: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await task(items[next++]);
    }),
  );
}

describe('query API: session lists', () => {
  const { get, post } = useQueryApp();

  /** Every page of a list, following nextCursor. */
  const walk = async (path: string, beforeEachNextPage: (seen: SessionSummaryOutput[]) => Promise<void> = () => Promise.resolve()) => {
    const items: SessionSummaryOutput[] = [];
    let pages = 0;
    let cursor: string | null = null;
    do {
      if (pages > 0) await beforeEachNextPage(items);
      const separator = path.includes('?') ? '&' : '?';
      const answer: ApiAnswer<SessionPageOutput> = await get(cursor ? `${path}${separator}cursor=${encodeURIComponent(cursor)}` : path);
      expect(answer.status).toBe(200);
      items.push(...answer.body.items);
      cursor = answer.body.nextCursor;
      pages += 1;
      if (pages > 1_000) throw new Error('the walk does not end');
    } while (cursor);
    return { items, pages };
  };

  it('walks 250 sessions page by page while notifications keep arriving: no session twice, none unchanged skipped', async () => {
    const originalIds = Array.from({ length: 250 }, () => randomUUID());
    const earlier = Date.now() - 60_000;
    // One encounter per session, as Suki names it in every notification of the session.
    await inParallel(originalIds, 16, (id) => post(aTimeoutNotification({ session_id: id, encounter_id: `e-${id}` }), earlier));

    // A writer that keeps adding sessions for as long as the walk lasts.
    let writing = true;
    const added: string[] = [];
    const writer = (async () => {
      while (writing) {
        const id = randomUUID();
        await post(aFailureNotification({ session_id: id }));
        added.push(id);
      }
    })();

    // Between pages, deterministically: one new session, one already-seen and one not-yet-seen
    // original changed (moved to the top of the order).
    const changedAfterSeen = new Set<string>();
    const changedBeforeSeen = new Set<string>();
    const walkStart = new Date(Date.now() - 1).toISOString();
    const { items, pages } = await walk('/v1/sessions?limit=40', async (seen) => {
      const seenIds = new Set(seen.map((item) => item.sessionId));
      const seenOriginal = originalIds.find((id) => seenIds.has(id) && !changedAfterSeen.has(id));
      const unseenOriginal = originalIds.find((id) => !seenIds.has(id) && !changedBeforeSeen.has(id));
      const newId = randomUUID();
      await post(aSuccessNotification({ session_id: newId }));
      added.push(newId);
      for (const [id, changed] of [
        [seenOriginal, changedAfterSeen],
        [unseenOriginal, changedBeforeSeen],
      ] as const) {
        if (!id) continue;
        await post(aFailureNotification({ session_id: id, encounter_id: `e-${id}` }));
        changed.add(id);
      }
    });
    writing = false;
    await writer;

    const ids = items.map((item) => item.sessionId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages).toBeGreaterThanOrEqual(7);
    expect(changedBeforeSeen.size).toBeGreaterThan(0);
    const counts = new Map<string, number>();
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const id of originalIds) {
      if (changedBeforeSeen.has(id)) expect(counts.get(id) ?? 0).toBeLessThanOrEqual(1);
      else expect([id, counts.get(id)]).toEqual([id, 1]);
    }
    // Newest first throughout the walk.
    for (let i = 1; i < items.length; i += 1) expect(items[i - 1].updatedAt >= items[i].updatedAt).toBe(true);

    // What changed or arrived during the walk is at the top of a fresh listing since its start.
    const since = await walk(`/v1/sessions?limit=200&updatedSince=${walkStart}`);
    const sinceIds = new Set(since.items.map((item) => item.sessionId));
    for (const id of [...changedBeforeSeen, ...changedAfterSeen, ...added]) expect(sinceIds).toContain(id);
    expect(since.items.find((item) => item.sessionId === [...changedBeforeSeen][0])).toMatchObject({ status: 'failed' });
  });

  describe('filters', () => {
    const encounterId = randomUUID();
    const byStatus: Record<string, string[]> = { failed: [], timed_out: [], completed: [], pending: [] };

    beforeAll(async () => {
      for (let i = 0; i < 3; i += 1) {
        const id = randomUUID();
        await post(aFailureNotification({ session_id: id, encounter_id: encounterId }));
        byStatus.failed.push(id);
      }
      for (let i = 0; i < 2; i += 1) {
        const id = randomUUID();
        await post(aTimeoutNotification({ session_id: id, encounter_id: encounterId }));
        byStatus.timed_out.push(id);
      }
      const completed = randomUUID();
      const named = randomUUID();
      await post(aSuccessNotification({ session_id: completed, encounter_id: encounterId, sessions: [completed, named] }));
      byStatus.completed.push(completed);
      byStatus.pending.push(named);
    });

    it('filters by encounter, newest first, and pages through ties with any limit', async () => {
      const all = Object.values(byStatus).flat();
      const page = await get<SessionPageOutput>(`/v1/sessions?encounterId=${encounterId}`);
      expect(page.status).toBe(200);
      expect(page.body.nextCursor).toBeNull();
      expect(page.body.items.map((item) => item.sessionId).sort()).toEqual([...all].sort());
      expect(page.body.items.every((item) => item.encounterId === encounterId)).toBe(true);

      const byTwo = await walk(`/v1/sessions?encounterId=${encounterId}&limit=2`);
      expect(byTwo.pages).toBe(4);
      expect(byTwo.items.map((item) => item.sessionId)).toEqual(page.body.items.map((item) => item.sessionId));
    });

    it.each(['failed', 'timed_out', 'completed', 'pending'])('filters by status %s', async (status) => {
      const page = await get<SessionPageOutput>(`/v1/sessions?encounterId=${encounterId}&status=${status}`);
      expect(page.status).toBe(200);
      expect(page.body.items.map((item) => item.sessionId).sort()).toEqual([...byStatus[status]].sort());
      expect(page.body.items.every((item) => item.status === status)).toBe(true);
    });

    it('filters by status across encounters', async () => {
      const { items } = await walk('/v1/sessions?status=completed&limit=200');
      expect(items.length).toBeGreaterThan(0);
      expect(items.every((item) => item.status === 'completed')).toBe(true);
      expect(items.map((item) => item.sessionId)).toContain(byStatus.completed[0]);
    });

    it('filters by updatedSince, inclusive, in any ISO-8601 zone', async () => {
      const encounter = randomUUID();
      await post(aTimeoutNotification({ encounter_id: encounter }));
      const first = (await get<SessionPageOutput>(`/v1/sessions?encounterId=${encounter}`)).body.items[0];
      const since = new Date(new Date(first.updatedAt).getTime() + 1);
      const later = randomUUID();
      while (Date.now() < since.getTime()) await new Promise((resolve) => setImmediate(resolve));
      await post(aTimeoutNotification({ session_id: later, encounter_id: encounter }));

      const utc = await get<SessionPageOutput>(`/v1/sessions?encounterId=${encounter}&updatedSince=${since.toISOString()}`);
      expect(utc.body.items.map((item) => item.sessionId)).toEqual([later]);
      const inclusive = await get<SessionPageOutput>(
        `/v1/sessions?encounterId=${encounter}&updatedSince=${encodeURIComponent(first.updatedAt)}`,
      );
      expect(inclusive.body.items).toHaveLength(2);
      const offset = new Date(since.getTime() + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
      const zoned = await get<SessionPageOutput>(`/v1/sessions?encounterId=${encounter}&updatedSince=${encodeURIComponent(offset)}`);
      expect(zoned.body.items.map((item) => item.sessionId)).toEqual([later]);
      const dateOnly = await get<SessionPageOutput>(`/v1/sessions?encounterId=${encounter}&updatedSince=2000-01-01`);
      expect(dateOnly.body.items).toHaveLength(2);
    });

    it('pages 50 by default', async () => {
      const page = await get<SessionPageOutput>('/v1/sessions');
      expect(page.body.items).toHaveLength(50);
      expect(typeof page.body.nextCursor).toBe('string');
    });
  });

  describe('malformed parameters', () => {
    it.each([
      ['status=bogus', 'status must be one of: pending, completed, failed, timed_out, cancelled, skipped'],
      ['status=', 'status must be one of'],
      ['status=failed&status=completed', 'status must be one of'],
      ['limit=0', 'limit must be a whole number from 1 to 200'],
      ['limit=201', 'limit must be a whole number from 1 to 200'],
      ['limit=abc', 'limit must be a whole number from 1 to 200'],
      ['limit=1.5', 'limit must be a whole number from 1 to 200'],
      ['limit=', 'limit must be a whole number from 1 to 200'],
      ['limit=1&limit=2', 'limit must be a whole number from 1 to 200'],
      ['updatedSince=yesterday', 'updatedSince must be an ISO-8601'],
      ['updatedSince=2026-11-27T10:00:00', 'updatedSince must be an ISO-8601'],
      ['updatedSince=2026-02-30T00:00:00Z', 'updatedSince must be a valid calendar date'],
      ['updatedSince=9999-12-31T23:59:59-12:00', 'updatedSince must lie between the years 0001 and 9999'],
      ['encounterId=%00', 'encounterId must not contain control characters'],
      ['encounterId=', 'encounterId must be 1 to 255 characters'],
      ['encounterId=<256 characters>', 'encounterId must be 1 to 255 characters'],
      ['encounterId=a&encounterId=b', 'encounterId must be given once'],
      ['cursor=', 'cursor is not a cursor'],
      ['cursor=garbage', 'cursor is not a cursor'],
      ['cursor=WzEsIngiXQ.AAAAAAAAAAAAAAAAAAAAAA', 'cursor is not a cursor'],
      ['cursor=<2000 characters>', 'cursor is not a cursor'],
      ['stauts=failed', 'property stauts should not exist'],
    ])('answers 400 to %s, naming the parameter', async (query, message) => {
      const expanded = query.replace(/<(\d+) characters>/, (_all, length) => 'x'.repeat(Number(length)));
      const answer = await get(`/v1/sessions?${expanded}`);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining(message) });
    });

    it('answers 400 to a tampered cursor and to a cursor carried over to other filters', async () => {
      const first = await get<SessionPageOutput>('/v1/sessions?limit=1');
      const cursor = first.body.nextCursor!;
      expect((await get(`/v1/sessions?limit=1&cursor=${cursor}`)).status).toBe(200);
      for (let i = 0; i < cursor.length; i += 7) {
        const tampered = cursor.slice(0, i) + (cursor[i] === 'a' ? 'b' : 'a') + cursor.slice(i + 1);
        const answer = await get(`/v1/sessions?limit=1&cursor=${tampered}`);
        expect([tampered, answer.status]).toEqual([tampered, 400]);
      }
      expect((await get(`/v1/sessions?limit=1&status=failed&cursor=${cursor}`)).status).toBe(400);
      expect((await get(`/v1/encounters?limit=1&cursor=${cursor}`)).status).toBe(400);
      // The page size may change between pages.
      expect((await get(`/v1/sessions?limit=5&cursor=${cursor}`)).status).toBe(200);
    });
  });
});
