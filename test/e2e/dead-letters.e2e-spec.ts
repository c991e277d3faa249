import { randomUUID } from 'node:crypto';
import { DeadLettersService, InvalidCursorError } from '../../src/retrieval/dead-letters.service';
import { FakeSukiApi, startFakeSukiApi } from '../support/fake-suki-api';
import { aSuccessNotification, postNotification } from '../support/notifications';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { artifactsOf, eventually, FAST_RETRIEVAL } from './retrieval.support';

/**
 * Dead letters at the service layer (service-spec §3.4): what the admin endpoints and the
 * operator's CLI will call. Artifacts fail for real here (the fake Suki answers 404), and a
 * retry is watched through to ready.
 */
describe('dead letters: listing and retrying failed artifacts', () => {
  let db: TestDatabase;
  let fake: FakeSukiApi;
  let sut: TestApp;
  let deadLetters: DeadLettersService;

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startFakeSukiApi();
    sut = await startTestApp(db.url, { ...FAST_RETRIEVAL, SUKI_API_BASE_URL: fake.baseUrl });
    deadLetters = sut.app.get(DeadLettersService);
  });

  afterAll(async () => {
    await sut?.close();
    await fake?.close();
    await db?.drop();
  });

  /** A success whose transcript (and, when asked, encounter content) Suki says does not exist. */
  async function aFailedSession(options: { encounterContentToo?: boolean } = {}) {
    const sessionId = randomUUID();
    const encounterId = randomUUID();
    fake.script(`/api/v1/ambient/session/${sessionId}/transcript`, { status: 404 });
    if (options.encounterContentToo) fake.script(`/api/v1/ambient/encounter/${encounterId}/content`, { status: 404 });
    await postNotification(sut.baseUrl, aSuccessNotification({ session_id: sessionId, encounter_id: encounterId }));
    await eventually(
      () => artifactsOf(db, encounterId),
      (rows) => rows.length === 5 && rows.every((row) => row.status !== 'pending'),
    );
    return { sessionId, encounterId };
  }

  it('lists failed artifacts newest first, in keyset pages that cover each exactly once', async () => {
    const failed = [];
    for (let i = 0; i < 5; i++) failed.push(await aFailedSession());
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await deadLetters.list({}, { limit: 2, cursor });
      pages += 1;
      for (const item of page.items) {
        expect(item).toMatchObject({ status: 'failed', kind: 'transcripts', attempts: 1, lastError: 'HTTP 404: not_found' });
        seen.push(item.sessionId!);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    // Newest first: the reverse of the order they failed in.
    expect(seen).toEqual(failed.map((session) => session.sessionId).reverse());
    expect(pages).toBe(3);
  });

  it('filters by kind, session, encounter and update time', async () => {
    const { sessionId, encounterId } = await aFailedSession({ encounterContentToo: true });
    const bySession = await deadLetters.list({ sessionId }, { limit: 50 });
    expect(bySession.items.map((item) => item.kind)).toEqual(['transcripts']);
    const byEncounter = await deadLetters.list({ encounterId }, { limit: 50 });
    expect(byEncounter.items.map((item) => item.kind).sort()).toEqual(['encounter_content', 'transcripts']);
    const byKind = await deadLetters.list({ kind: 'encounter_content', encounterId }, { limit: 50 });
    expect(byKind.items).toHaveLength(1);
    expect(byKind.items[0]).toMatchObject({ encounterId, sessionId: null, lastError: 'HTTP 404: not_found' });
    const later = await deadLetters.list({ encounterId, updatedSince: new Date(Date.now() + 60_000) }, { limit: 50 });
    expect(later.items).toEqual([]);
    const earlier = await deadLetters.list({ encounterId, updatedBefore: new Date(Date.now() + 60_000) }, { limit: 50 });
    expect(earlier.items).toHaveLength(2);
    // The other artifacts of that session are ready, and listed as such only when asked.
    const ready = await deadLetters.list({ status: 'ready', encounterId }, { limit: 50 });
    expect(ready.items.map((item) => item.kind).sort()).toEqual(['contents', 'encounter_structured_data', 'structured_data']);
  });

  it('counts the failed artifacts by kind in /metrics, read from the database at scrape', async () => {
    await aFailedSession({ encounterContentToo: true });
    const counts = await db.query<{ kind: string; n: number }>(
      `SELECT kind::text, count(*)::int AS n FROM artifacts WHERE status = 'failed' GROUP BY kind`,
    );
    const text = await (await fetch(`${sut.baseUrl}/metrics`)).text();
    for (const { kind, n } of counts) expect(text).toContain(`suki_artifacts_failed{kind="${kind}"} ${n}\n`);
    expect(text).toContain('suki_artifacts_failed{kind="contents"} 0\n');
  });

  it('refuses a cursor issued for other filters', async () => {
    await aFailedSession();
    await aFailedSession();
    const page = await deadLetters.list({}, { limit: 1 });
    expect(page.nextCursor).toEqual(expect.any(String));
    await expect(deadLetters.list({ kind: 'contents' }, { limit: 1, cursor: page.nextCursor! })).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(deadLetters.list({}, { limit: 1, cursor: `${page.nextCursor}x` })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('retries the matching failed artifacts for a fresh horizon, and they end ready once Suki has them', async () => {
    const target = await aFailedSession({ encounterContentToo: true });
    const other = await aFailedSession();
    // Suki has the results now.
    fake.script(`/api/v1/ambient/session/${target.sessionId}/transcript`, {});
    fake.script(`/api/v1/ambient/encounter/${target.encounterId}/content`, {});

    const result = await deadLetters.retry({ encounterId: target.encounterId });
    expect(result.retried).toBe(2);
    expect(result.artifacts.map((artifact) => artifact.kind).sort()).toEqual(['encounter_content', 'transcripts']);
    for (const artifact of result.artifacts) expect(artifact.encounterId).toBe(target.encounterId);

    const rows = await eventually(
      () => artifactsOf(db, target.encounterId),
      (found) => found.every((row) => row.status === 'ready'),
    );
    for (const row of rows.filter((found) => ['encounter_content', 'transcripts'].includes(found.kind))) {
      // A fresh request: attempts counted again from zero, a new generation.
      expect(row).toMatchObject({ status: 'ready', attempts: 1, generation: 2, last_error: null });
    }
    // The other session's dead letter was not touched.
    expect((await deadLetters.list({ sessionId: other.sessionId }, { limit: 10 })).items).toHaveLength(1);
  });

  it('resets the horizon: the first attempt after a retry starts it again', async () => {
    const { encounterId } = await aFailedSession();
    await db.query(`UPDATE artifacts SET first_attempt_at = now() - interval '3 days' WHERE encounter_id = $1 AND status = 'failed'`, [
      encounterId,
    ]);
    const before = Date.now();
    await deadLetters.retry({ encounterId, kind: 'transcripts' });
    const [row] = await eventually(
      () =>
        db.query<{ status: string; first_attempt_at: Date }>(
          `SELECT status, first_attempt_at FROM artifacts WHERE owner_id IN (SELECT id FROM sessions WHERE encounter_id = $1) AND kind = 'transcripts'`,
          [encounterId],
        ),
      (found) => found[0]?.status === 'failed',
    );
    expect(row.first_attempt_at.getTime()).toBeGreaterThanOrEqual(before - 1_000);
  });

  it('with an empty filter retries every failed artifact, and touches no other', async () => {
    await aFailedSession();
    const failedBefore = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM artifacts WHERE status = 'failed'`);
    const readyBefore = await db.query<{ id: string; generation: number }>(
      `SELECT id, generation FROM artifacts WHERE status = 'ready' ORDER BY id`,
    );
    const result = await deadLetters.retry({});
    expect(result.retried).toBe(failedBefore[0].n);
    const readyAfter = await db.query<{ id: string; generation: number }>(
      `SELECT id, generation FROM artifacts WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [readyBefore.map((row) => row.id)],
    );
    expect(readyAfter).toEqual(readyBefore);
    // Suki still says 404: each fails again, at once, with its reason.
    const rows = await eventually(
      () => db.query<{ status: string }>(`SELECT status FROM artifacts WHERE status <> 'ready'`),
      (found) => found.every((row) => row.status === 'failed'),
    );
    expect(rows).toHaveLength(failedBefore[0].n);
    expect((await deadLetters.retry({ kind: 'contents' })).retried).toBe(0);
  });
});
