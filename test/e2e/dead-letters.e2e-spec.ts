import { randomUUID } from 'node:crypto';
import type { DeadLetterOutput, DeadLetterPageOutput, RetryOutput } from '../../src/retrieval/dead-letter.output';
import { aSuccessNotification, postNotification } from '../support/notifications';
import { waitUntil } from '../support/spool-scenario';
import { useTestApp } from '../support/use-test-app';
import { artifactsOf, eventually, FAST_RETRIEVAL } from './retrieval.support';

const ADMIN = 'operator-admin-token-0123456789';

/**
 * Dead letters through the admin endpoints (docs/api.md), as the operator's CLI calls
 * them. Artifacts fail for real here (the fake Suki answers 404), and a retry is watched
 * through to ready. Input refusals and scopes are in dead-letters-input.e2e-spec.ts.
 */
describe('dead letters: listing and retrying failed artifacts', () => {
  const {
    db,
    suki: fake,
    sut,
  } = useTestApp({
    suki: true,
    env: { ...FAST_RETRIEVAL, INTERNAL_API_CLIENTS: `operator:admin:${ADMIN}` },
  });

  const query = (filters: Record<string, string | number | undefined>) =>
    new URLSearchParams(
      Object.entries(filters).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)] as [string, string]])),
    );

  /** GET /v1/artifacts, which must answer 200. */
  async function list(filters: Record<string, string | number | undefined> = {}): Promise<DeadLetterPageOutput> {
    const response = await fetch(`${sut().baseUrl}/v1/artifacts?${query(filters).toString()}`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as DeadLetterPageOutput;
  }

  /** POST /v1/artifacts/retry, which must answer 202. */
  async function retry(body: Record<string, string> = {}): Promise<number> {
    const response = await fetch(`${sut().baseUrl}/v1/artifacts/retry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as RetryOutput).retried;
  }

  /** A success whose transcript (and, when asked, encounter content) Suki says does not exist. */
  async function aFailedSession(options: { encounterContentToo?: boolean } = {}) {
    const sessionId = randomUUID();
    const encounterId = randomUUID();
    fake().script(`/api/v1/ambient/session/${sessionId}/transcript`, { status: 404 });
    if (options.encounterContentToo) fake().script(`/api/v1/ambient/encounter/${encounterId}/content`, { status: 404 });
    await postNotification(sut().baseUrl, aSuccessNotification({ session_id: sessionId, encounter_id: encounterId }));
    await eventually(
      () => artifactsOf(db(), encounterId),
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
      const page = await list({ limit: 2, cursor });
      pages += 1;
      for (const item of page.items) {
        expect(item).toEqual<DeadLetterOutput>({
          sessionId: expect.any(String) as string,
          encounterId: expect.any(String) as string,
          status: 'failed',
          kind: 'transcripts',
          attempts: 1,
          lastError: 'HTTP 404: not_found',
          updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as string,
        });
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
    const bySession = await list({ sessionId });
    expect(bySession.items.map((item) => item.kind)).toEqual(['transcripts']);
    const byEncounter = await list({ encounterId });
    expect(byEncounter.items.map((item) => item.kind).sort()).toEqual(['encounter_content', 'transcripts']);
    const byKind = await list({ kind: 'encounter_content', encounterId });
    expect(byKind.items).toHaveLength(1);
    expect(byKind.items[0]).toMatchObject({ encounterId, sessionId: null, lastError: 'HTTP 404: not_found' });
    const later = await list({ encounterId, updatedSince: new Date(Date.now() + 60_000).toISOString() });
    expect(later.items).toEqual([]);
    const earlier = await list({ encounterId, updatedBefore: new Date(Date.now() + 60_000).toISOString() });
    expect(earlier.items).toHaveLength(2);
    // The other artifacts of that session are ready, and listed as such only when asked.
    const ready = await list({ status: 'ready', encounterId });
    expect(ready.items.map((item) => item.kind).sort()).toEqual(['contents', 'encounter_structured_data', 'structured_data']);
  });

  it('counts the failed artifacts by kind in /metrics, read from the database at scrape', async () => {
    await aFailedSession({ encounterContentToo: true });
    const counts = await db().query<{ kind: string; n: number }>(
      `SELECT kind::text, count(*)::int AS n FROM artifacts WHERE status = 'failed' GROUP BY kind`,
    );
    // The gauges are read at most once per cache period (a few seconds): wait for a read after the failures.
    const expected = counts.map(({ kind, n }) => `suki_artifacts_failed{kind="${kind}"} ${n}\n`);
    let text = '';
    await waitUntil('a read of the failed artifacts', async () => {
      text = await (await fetch(`${sut().baseUrl}/metrics`)).text();
      return expected.every((line) => text.includes(line));
    });
    for (const line of expected) expect(text).toContain(line);
    expect(text).toContain('suki_artifacts_failed{kind="contents"} 0\n');
  });

  it('refuses a cursor issued for other filters', async () => {
    await aFailedSession();
    await aFailedSession();
    const page = await list({ limit: 1 });
    expect(page.nextCursor).toEqual(expect.any(String));
    for (const filters of [
      { kind: 'contents', limit: 1, cursor: page.nextCursor! },
      { limit: 1, cursor: `${page.nextCursor}x` },
    ]) {
      const response = await fetch(`${sut().baseUrl}/v1/artifacts?${query(filters).toString()}`, {
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(/^cursor is not a cursor this service issued/);
    }
  });

  it('retries the matching failed artifacts for a fresh horizon, and they end ready once Suki has them', async () => {
    const target = await aFailedSession({ encounterContentToo: true });
    const other = await aFailedSession();
    // Suki has the results now.
    fake().script(`/api/v1/ambient/session/${target.sessionId}/transcript`, {});
    fake().script(`/api/v1/ambient/encounter/${target.encounterId}/content`, {});

    expect(await retry({ encounterId: target.encounterId })).toBe(2);
    // One audit record per artifact reset, committed before the answer.
    const audited = await db().query<{ client: string; session_id: string | null; kind: string }>(
      `SELECT client, session_id, kind::text FROM access_audit WHERE action = 'artifacts.retry' AND encounter_id = $1 ORDER BY kind`,
      [target.encounterId],
    );
    expect(audited).toEqual([
      { client: 'operator', session_id: null, kind: 'encounter_content' },
      { client: 'operator', session_id: target.sessionId, kind: 'transcripts' },
    ]);

    const rows = await eventually(
      () => artifactsOf(db(), target.encounterId),
      (found) => found.every((row) => row.status === 'ready'),
    );
    for (const row of rows.filter((found) => ['encounter_content', 'transcripts'].includes(found.kind))) {
      // A fresh request: attempts counted again from zero, a new generation.
      expect(row).toMatchObject({ status: 'ready', attempts: 1, generation: 2, last_error: null });
    }
    // The other session's dead letter was not touched.
    expect((await list({ sessionId: other.sessionId })).items).toHaveLength(1);
  });

  it('resets the horizon: the first attempt after a retry starts it again', async () => {
    const { encounterId } = await aFailedSession();
    await db().query(`UPDATE artifacts SET first_attempt_at = now() - interval '3 days' WHERE encounter_id = $1 AND status = 'failed'`, [
      encounterId,
    ]);
    const before = Date.now();
    expect(await retry({ encounterId, kind: 'transcripts' })).toBe(1);
    const [row] = await eventually(
      () =>
        db().query<{ status: string; first_attempt_at: Date }>(
          `SELECT status, first_attempt_at FROM artifacts WHERE owner_id IN (SELECT id FROM sessions WHERE encounter_id = $1) AND kind = 'transcripts'`,
          [encounterId],
        ),
      (found) => found[0]?.status === 'failed',
    );
    expect(row.first_attempt_at.getTime()).toBeGreaterThanOrEqual(before - 1_000);
  });

  it('with an empty filter retries every failed artifact, and touches no other', async () => {
    await aFailedSession();
    const failedBefore = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM artifacts WHERE status = 'failed'`);
    const readyBefore = await db().query<{ id: string; generation: number }>(
      `SELECT id, generation FROM artifacts WHERE status = 'ready' ORDER BY id`,
    );
    const auditedBefore = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM access_audit WHERE action = 'artifacts.retry'`);
    expect(await retry()).toBe(failedBefore[0].n);
    const auditedAfter = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM access_audit WHERE action = 'artifacts.retry'`);
    expect(auditedAfter[0].n - auditedBefore[0].n).toBe(failedBefore[0].n);
    const readyAfter = await db().query<{ id: string; generation: number }>(
      `SELECT id, generation FROM artifacts WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [readyBefore.map((row) => row.id)],
    );
    expect(readyAfter).toEqual(readyBefore);
    // Suki still says 404: each fails again, at once, with its reason.
    const rows = await eventually(
      () => db().query<{ status: string }>(`SELECT status FROM artifacts WHERE status <> 'ready'`),
      (found) => found.every((row) => row.status === 'failed'),
    );
    expect(rows).toHaveLength(failedBefore[0].n);
    // A retry that matched nothing is still one audit record, naming the filter.
    expect(await retry({ kind: 'contents' })).toBe(0);
    const [noop] = await db().query<{ kind: string; session_id: string | null }>(
      `SELECT kind::text, session_id FROM access_audit WHERE action = 'artifacts.retry' ORDER BY id DESC LIMIT 1`,
    );
    expect(noop).toEqual({ kind: 'contents', session_id: null });
  });
});
