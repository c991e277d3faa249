import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { aSuccessNotification, postNotification } from '../support/notifications';
import { useTestApp } from '../support/use-test-app';
import { ArtifactRow, artifactsOf, eventually, FAST_RETRIEVAL } from './retrieval.support';

/** The kind each documented path stands for. */
function kindOf(path: string): string {
  if (/\/session\/[^/]+\/content$/.test(path)) return 'contents';
  if (/\/encounter\/[^/]+\/content$/.test(path)) return 'encounter_content';
  if (/\/session\/[^/]+\/structured-data$/.test(path)) return 'structured_data';
  if (/\/encounter\/[^/]+\/structured-data$/.test(path)) return 'encounter_structured_data';
  if (/\/transcript$/.test(path)) return 'transcripts';
  return 'status';
}

describe('retrieval takes the note first', () => {
  const { db, suki: fake, start } = useTestApp({ suki: true, app: false, scope: 'test' });

  // Two sessions: the first claim (three artifacts, for one call at a time) spans two kinds, and
  // its rows must start in priority order, not in the order the update met them.
  it.each([2, 6])(
    'fetches every note of a backlog of %i sessions before any other kind, first in first out within a kind',
    async (sessions) => {
      // Intake alone first, so the whole backlog is queued before any of it is claimed.
      const intake = await start({ ...FAST_RETRIEVAL, RETRIEVAL_ENABLED: 'false' });
      const encounters: string[] = [];
      for (let i = 0; i < sessions; i++) {
        const body = aSuccessNotification({ session_id: randomUUID(), encounter_id: randomUUID() });
        expect((await postNotification(intake.baseUrl, body)).status).toBe(200);
        encounters.push(body.encounter_id);
      }
      // A 200 may mean "kept in the spool" on a loaded machine: wait until every artifact is queued.
      await eventually(
        async () =>
          (await db().query<{ n: number }>('SELECT count(*)::int AS n FROM artifacts WHERE encounter_id = ANY($1)', [encounters]))[0].n,
        (n) => n === 5 * sessions,
      );
      // One call at a time: the order of the calls is the order of the claims.
      await start({ ...FAST_RETRIEVAL, SUKI_FETCH_MAX_CONCURRENCY: '1' });
      await eventually(
        () => fake().requests.length,
        (n) => n >= 5 * sessions,
      );
      const kinds = fake().requests.map((request) => kindOf(request.path));
      const order = ['contents', 'encounter_content', 'structured_data', 'encounter_structured_data', 'transcripts'];
      expect(kinds).toEqual(order.flatMap((kind) => Array<string>(sessions).fill(kind)));
      const notes = fake().requests.filter((request) => kindOf(request.path) === 'contents');
      const notedEncounters = await Promise.all(
        notes.map(async (request) => {
          const [row] = await db().query<{ encounter_id: string }>('SELECT encounter_id FROM artifacts WHERE href = $1', [request.path]);
          return row.encounter_id;
        }),
      );
      expect(notedEncounters).toEqual(encounters);
    },
  );

  it('keeps the place in line of a note Suki refused with a Retry-After: after the pause it goes before the notes of later visits', async () => {
    const intake = await start({ ...FAST_RETRIEVAL, RETRIEVAL_ENABLED: 'false', SUKI_FETCH_LINKS: 'contents' });
    const sessions: string[] = [];
    for (let i = 0; i < 3; i++) {
      const body = aSuccessNotification({ session_id: randomUUID(), encounter_id: randomUUID() });
      expect((await postNotification(intake.baseUrl, body)).status).toBe(200);
      sessions.push(body.session_id);
    }
    await eventually(
      async () =>
        (
          await db().query<{ n: number }>("SELECT count(*)::int AS n FROM artifacts WHERE kind = 'contents' AND owner_id = ANY($1)", [
            sessions,
          ])
        )[0].n,
      (n) => n === sessions.length,
    );
    const notePath = (session: string) => `/api/v1/ambient/session/${session}/content`;
    // The first visit's note is refused once: Suki asks every call to wait a second.
    fake().script(notePath(sessions[0]), { status: 429, headers: { 'Retry-After': '1' } }, {});

    await start({ ...FAST_RETRIEVAL, SUKI_FETCH_MAX_CONCURRENCY: '1', SUKI_FETCH_LINKS: 'contents' });
    await eventually(
      () => fake().requests.filter((request) => kindOf(request.path) === 'contents').length,
      (n) => n >= sessions.length + 1,
    );
    const notes = fake().requests.filter((request) => kindOf(request.path) === 'contents');
    expect(notes.map((request) => request.path)).toEqual([sessions[0], ...sessions].map(notePath));
    // Nothing went during the pause the Retry-After asked for.
    expect(notes[1].receivedAt - notes[0].receivedAt).toBeGreaterThanOrEqual(1_000 - 50);
    // Handed back unstarted during the pause, the later notes count only the call they got.
    const attempts = await eventually(
      () =>
        db().query<{ owner_id: string; attempts: number }>(
          "SELECT owner_id, attempts FROM artifacts WHERE kind = 'contents' AND status = 'ready'",
        ),
      (rows) => rows.length === sessions.length,
    );
    expect(Object.fromEntries(attempts.map((row) => [row.owner_id, row.attempts]))).toEqual({
      [sessions[0]]: 2,
      [sessions[1]]: 1,
      [sessions[2]]: 1,
    });
  });

  it('retries an answer the database could not store in time (a lock timeout), instead of failing the note', async () => {
    const database = new URL(db().url).pathname.slice(1);
    // Every connection of the service gives up waiting for a lock after 300 ms.
    await db().query(`ALTER DATABASE "${database}" SET lock_timeout = '300ms'`);
    const sut = await start({ ...FAST_RETRIEVAL, RETRIEVAL_LEASE_MS: '3000', SUKI_FETCH_LINKS: 'contents' });
    const sessionId = randomUUID();
    const encounterId = randomUUID();
    const path = `/api/v1/ambient/session/${sessionId}/content`;
    fake().script(path, { latencyMs: 300 }, {});

    const blocker = new Client({ connectionString: db().url });
    await blocker.connect();
    try {
      expect((await postNotification(sut.baseUrl, aSuccessNotification({ session_id: sessionId, encounter_id: encounterId }))).status).toBe(
        200,
      );
      // Once the fetch is under way, hold the artifact's row: storing the answer waits, then times out.
      await eventually(
        () => fake().requestsTo(path).length,
        (n) => n >= 1,
      );
      await blocker.query('BEGIN');
      await blocker.query("SELECT id FROM artifacts WHERE owner_id = $1 AND kind = 'contents' FOR UPDATE", [sessionId]);
      // Let go once a second statement waits for the row (what the service does after the
      // timeout), so that it can be written: it must not mark the note failed.
      const waiters = new Set<string>();
      await eventually(
        async () => {
          const rows = await db().query<{ pid: number; query_start: Date }>(
            "SELECT pid, query_start FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
          );
          for (const row of rows) waiters.add(`${row.pid}@${row.query_start.toISOString()}`);
          return waiters.size;
        },
        (n) => n >= 2,
        10_000,
      );
      expect(waiters.size).toBeGreaterThanOrEqual(2);
      await blocker.query('COMMIT');
    } finally {
      await blocker.end();
    }

    const rows = await eventually(
      () => artifactsOf(db(), encounterId),
      (found: ArtifactRow[]) => found.length === 1 && found[0].status !== 'pending',
      10_000,
    );
    expect(rows).toMatchObject([{ kind: 'contents', status: 'ready' }]);
    expect(rows[0].attempts).toBeGreaterThanOrEqual(2);
    expect(fake().requestsTo(path).length).toBeGreaterThanOrEqual(2);
  });
});
