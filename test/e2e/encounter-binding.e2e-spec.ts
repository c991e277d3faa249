import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { useTestApp } from '../support/use-test-app';
import { aFailureNotification, aSuccessNotification, aTimeoutNotification, postNotification } from '../support/notifications';
import { parsePrometheus, sampleValue } from '../support/prometheus';
import { TEST_INTERNAL_TOKEN } from '../support/test-app';
import { feedSettled, readToEnd } from './events.support';
import { markArtifactReady } from './query.support';
import { metricValue, register, REGISTRAR_TOKEN } from './reconcile.support';
import { eventually } from './retrieval.support';

interface Encounter {
  encounterId: string;
  status: string;
  sessions: Array<{ sessionId: string }>;
  sessionCount: number;
}

/**
 * Which encounter a session belongs to is Suki's word: the first notification of the session
 * itself binds it (moving it out of the encounter a registration or a `sessions` array gave it),
 * and a later one naming yet another encounter is kept as `conflict` and moves nothing.
 */
describe('the encounter of a session', () => {
  const { sut, db, get, start } = useTestApp({
    env: {
      INTERNAL_API_TOKENS: '',
      INTERNAL_API_CLIENTS: `all:read+content+register+admin:${TEST_INTERNAL_TOKEN},registrar:register:${REGISTRAR_TOKEN}`,
    },
  });

  const sessionRow = async (id: string) =>
    (
      await db().query<{ encounter_id: string; encounter_bound: boolean; status: string }>(
        'SELECT encounter_id, encounter_bound, status FROM sessions WHERE id = $1',
        [id],
      )
    )[0];
  const encounter = async (id: string) => (await get<Encounter>(`/v1/encounters/${id}`)).body;
  const timeline = async (id: string) =>
    ((await get<{ events: Array<{ outcome: string }> }>(`/v1/sessions/${id}/events`)).body.events ?? []).map((event) => event.outcome);
  const changes = async (sessionId: string) => {
    await feedSettled(db());
    const { items } = await readToEnd(sut().baseUrl, 'start', '&types=session.encounter_changed');
    return items.filter((item) => item.sessionId === sessionId);
  };
  const auditOf = (sessionId: string) =>
    db().query(
      `SELECT client, action, encounter_id, previous_encounter_id FROM access_audit WHERE session_id = $1 AND action = 'encounter_changed'`,
      [sessionId],
    );

  it('moves a registered session, with its artifacts, to the encounter its own success names', async () => {
    const [sessionId, wrong, right] = [randomUUID(), `wrong-${randomUUID()}`, `right-${randomUUID()}`];
    const changedBefore = await metricValue(sut().baseUrl, 'suki_session_encounter_bindings_total{result="changed"}');
    expect((await register(sut().baseUrl, sessionId, { encounterId: wrong })).status).toBe(201);

    const answer = await postNotification(sut().baseUrl, aSuccessNotification({ session_id: sessionId, encounter_id: right }));
    expect(answer).toEqual({ status: 200, body: { outcome: 'applied' } });

    expect(await sessionRow(sessionId)).toEqual({ encounter_id: right, encounter_bound: true, status: 'completed' });
    expect((await encounter(right)).sessions.map((s) => s.sessionId)).toEqual([sessionId]);
    expect(await encounter(wrong)).toMatchObject({ sessions: [], sessionCount: 0, status: 'pending' });
    // Session-level artifacts follow the session (the registration's poll was moot and is gone).
    const artifacts = await db().query<{ encounter_id: string }>('SELECT DISTINCT encounter_id FROM artifacts WHERE session_id = $1', [
      sessionId,
    ]);
    expect(artifacts).toEqual([{ encounter_id: right }]);
    expect(await db().query('SELECT kind FROM artifacts WHERE encounter_id = $1', [wrong])).toEqual([]);

    expect(await changes(sessionId)).toEqual([
      expect.objectContaining({ type: 'session.encounter_changed', sessionId, encounterId: right, previousEncounterId: wrong }),
    ]);
    // Every later event of the session is under the encounter it now belongs to.
    const { items } = await readToEnd(sut().baseUrl);
    const after = items.slice(items.findIndex((item) => item.type === 'session.encounter_changed' && item.sessionId === sessionId));
    expect(after.filter((item) => item.sessionId === sessionId).every((item) => item.encounterId === right)).toBe(true);

    // Its results, once fetched, are announced under the encounter it now belongs to.
    for (const kind of ['contents', 'structured_data', 'transcripts']) await markArtifactReady(db(), sessionId, kind, { ok: true });
    await feedSettled(db());
    const ready = (await readToEnd(sut().baseUrl, 'start', '&types=session.results_ready')).items.filter(
      (item) => item.sessionId === sessionId,
    );
    expect(ready).toEqual([expect.objectContaining({ encounterId: right })]);

    expect(await auditOf(sessionId)).toEqual([
      { client: 'suki', action: 'encounter_changed', encounter_id: right, previous_encounter_id: wrong },
    ]);
    // Its request id is the service's own id for the webhook request that moved it.
    const [{ request_id: requestId }] = await db().query<{ request_id: string }>(
      `SELECT request_id FROM access_audit WHERE session_id = $1 AND action = 'encounter_changed'`,
      [sessionId],
    );
    expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const listed = await get<{ items: Array<Record<string, unknown>> }>(`/v1/audit?sessionId=${sessionId}&action=encounter_changed`);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ client: 'suki', action: 'encounter_changed', encounterId: right, previousEncounterId: wrong }),
    ]);
    expect(await metricValue(sut().baseUrl, 'suki_session_encounter_bindings_total{result="changed"}')).toBe(changedBefore + 1);
  });

  it("moves a session known from another session's `sessions` array when its own notification names another encounter", async () => {
    const [sibling, sessionId, listedUnder, own] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await postNotification(sut().baseUrl, aSuccessNotification({ session_id: sibling, encounter_id: listedUnder, sessions: [sessionId] }));
    expect(await sessionRow(sessionId)).toMatchObject({ encounter_id: listedUnder, encounter_bound: false });

    const answer = await postNotification(sut().baseUrl, aFailureNotification({ session_id: sessionId, encounter_id: own }));
    expect(answer.body).toEqual({ outcome: 'applied' });
    expect(await sessionRow(sessionId)).toEqual({ encounter_id: own, encounter_bound: true, status: 'failed' });
    expect((await encounter(listedUnder)).sessions.map((s) => s.sessionId)).toEqual([sibling]);
    expect(await encounter(own)).toMatchObject({ status: 'failed', sessions: [{ sessionId }] });
    // The encounter left still shows the sibling's outcome, the one it has left.
    expect((await encounter(listedUnder)).status).toBe('completed');
  });

  it('keeps a later notification naming yet another encounter as conflict (200), moving nothing', async () => {
    const [sessionId, first, other] = [randomUUID(), randomUUID(), randomUUID()];
    const t0 = Date.now() - 60_000;
    await postNotification(sut().baseUrl, aTimeoutNotification({ session_id: sessionId, encounter_id: first }), { generatedAt: t0 });
    const conflictsBefore = await metricValue(sut().baseUrl, 'suki_session_encounter_bindings_total{result="conflict"}');

    const later = await postNotification(
      sut().baseUrl,
      aSuccessNotification({ session_id: sessionId, encounter_id: other, sessions: [randomUUID()] }),
      {
        generatedAt: t0 + 1_000,
      },
    );
    expect(later).toEqual({ status: 200, body: { outcome: 'conflict' } });

    expect(await sessionRow(sessionId)).toEqual({ encounter_id: first, encounter_bound: true, status: 'timed_out' });
    expect(await timeline(sessionId)).toEqual(['applied', 'conflict']);
    // Nothing of it was applied: no encounter, no artifacts, no known sessions, no move.
    expect(await db().query('SELECT id FROM encounters WHERE id = $1', [other])).toEqual([]);
    expect(await db().query('SELECT kind FROM artifacts WHERE encounter_id = $1', [other])).toEqual([]);
    expect(await changes(sessionId)).toEqual([]);
    expect(await metricValue(sut().baseUrl, 'suki_session_encounter_bindings_total{result="conflict"}')).toBe(conflictsBefore + 1);
    const metrics = parsePrometheus(await (await fetch(`${sut().baseUrl}/metrics`)).text());
    expect(sampleValue(metrics, 'suki_notifications_total', { vendor_status: 'success', outcome: 'conflict' })).toBeGreaterThanOrEqual(1);
  });

  it('still answers 409 to a registration under another encounter than the one a notification bound', async () => {
    const [sessionId, bound] = [randomUUID(), randomUUID()];
    await postNotification(sut().baseUrl, aFailureNotification({ session_id: sessionId, encounter_id: bound }));
    expect((await register(sut().baseUrl, sessionId, { encounterId: randomUUID() })).status).toBe(409);
    expect(await sessionRow(sessionId)).toMatchObject({ encounter_id: bound });
  });

  describe('races', () => {
    it('binds a registered session once when its notifications naming different encounters race on two replicas', async () => {
      const replica = await start();
      for (let round = 0; round < 5; round++) {
        const sessionId = randomUUID();
        await register(sut().baseUrl, sessionId, { encounterId: `registered-${sessionId}` });
        const named = Array.from({ length: 12 }, (_, i) => `e${i}-${sessionId}`);
        const t0 = Date.now() - 30_000;
        const answers = await Promise.all(
          named.map((encounterId, i) =>
            postNotification(
              (i % 2 ? replica : sut()).baseUrl,
              aFailureNotification({ session_id: sessionId, encounter_id: encounterId }),
              {
                generatedAt: t0 + i,
              },
            ),
          ),
        );
        const winners = answers.flatMap((answer, i) => (answer.body.outcome === 'conflict' ? [] : [named[i]]));
        expect(answers.every((answer) => answer.status === 200)).toBe(true);
        expect(winners).toHaveLength(1);
        expect(await sessionRow(sessionId)).toMatchObject({ encounter_id: winners[0], encounter_bound: true });
        expect(await changes(sessionId)).toEqual([
          expect.objectContaining({ encounterId: winners[0], previousEncounterId: `registered-${sessionId}` }),
        ]);
        expect(await auditOf(sessionId)).toHaveLength(1);
        // The losers' encounters were never made.
        expect(await db().query('SELECT id FROM encounters WHERE id = ANY($1::text[])', [named.filter((id) => id !== winners[0])])).toEqual(
          [],
        );
      }
    });

    it('binds a new session to exactly one of the encounters its racing notifications name', async () => {
      const replica = await start();
      const sessionId = randomUUID();
      const named = Array.from({ length: 12 }, (_, i) => `n${i}-${sessionId}`);
      const answers = await Promise.all(
        named.map((encounterId, i) =>
          postNotification((i % 2 ? replica : sut()).baseUrl, aTimeoutNotification({ session_id: sessionId, encounter_id: encounterId })),
        ),
      );
      const winners = answers.flatMap((answer, i) => (answer.body.outcome === 'conflict' ? [] : [named[i]]));
      expect(winners).toHaveLength(1);
      expect(await sessionRow(sessionId)).toMatchObject({ encounter_id: winners[0], encounter_bound: true });
      expect(await changes(sessionId)).toEqual([]);
    });

    it("ends every session under its own notification's encounter when registrations and `sessions` arrays race with it", async () => {
      const replica = await start();
      const sessions = Array.from({ length: 30 }, () => randomUUID());
      const own = (id: string) => `own-${id}`;
      await Promise.all(
        sessions.flatMap((sessionId, i) => [
          register((i % 2 ? replica : sut()).baseUrl, sessionId, { encounterId: `registered-${sessionId}` }),
          postNotification(
            (i % 2 ? sut() : replica).baseUrl,
            aSuccessNotification({ session_id: randomUUID(), encounter_id: `listed-${sessionId}`, sessions: [sessionId] }),
          ),
          postNotification(sut().baseUrl, aFailureNotification({ session_id: sessionId, encounter_id: own(sessionId) })).then((answer) =>
            expect(answer).toEqual({ status: 200, body: { outcome: 'applied' } }),
          ),
        ]),
      );
      for (const sessionId of sessions) {
        expect(await sessionRow(sessionId)).toEqual({ encounter_id: own(sessionId), encounter_bound: true, status: 'failed' });
        const moves = await db().query<{ previous_encounter_id: string }>(
          `SELECT previous_encounter_id FROM events WHERE session_id = $1 AND type = 'session.encounter_changed'`,
          [sessionId],
        );
        // Moved at most once (never when its notification came first), and then from a provisional encounter.
        expect(moves.length).toBeLessThanOrEqual(1);
        for (const move of moves) expect(move.previous_encounter_id).toMatch(/^(registered|listed)-/);
      }
    });
  });

  it('binds a session made known by a registration while its own notification was inserting it', async () => {
    // Deterministic: the registration's row is written, uncommitted, before intake reads; intake
    // finds no session, and its insert waits for the registration to commit.
    const [sessionId, registered, own] = [randomUUID(), randomUUID(), randomUUID()];
    const registrar = new Client({ connectionString: db().url });
    const intake = new Client({ connectionString: db().url });
    await Promise.all([registrar.connect(), intake.connect()]);
    try {
      await registrar.query('BEGIN');
      await registrar.query(`INSERT INTO encounters (id) VALUES ($1)`, [registered]);
      await registrar.query(`INSERT INTO sessions (id, encounter_id) VALUES ($1, $2)`, [sessionId, registered]);
      const notification = {
        arrival: '1',
        rawBody: Buffer.from(randomUUID()).toString('base64'),
        generatedAtMs: String(Date.now()),
        receivedAt: new Date().toISOString(),
        sessionId,
        encounterId: own,
        vendorStatus: 'failure',
        sessionStatus: 'failed',
        knownSessions: [],
        artifacts: [],
      };
      const ingested = intake.query<{ outcome: string; held_encounter_id: string | null }>(
        'SELECT outcome::text, held_encounter_id FROM ingest_notifications($1::jsonb)',
        [JSON.stringify([notification])],
      );
      const pid = (intake as unknown as { processID: number }).processID;
      await eventually(
        async () =>
          (await registrar.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_locks WHERE pid = $1 AND NOT granted', [pid])).rows[0].n,
        (waiting) => waiting > 0,
      );
      await registrar.query('COMMIT');
      expect((await ingested).rows).toEqual([{ outcome: 'applied', held_encounter_id: registered }]);
    } finally {
      await Promise.all([registrar.end(), intake.end()]);
    }
    expect(await sessionRow(sessionId)).toEqual({ encounter_id: own, encounter_bound: true, status: 'failed' });
    expect(await changes(sessionId)).toEqual([expect.objectContaining({ encounterId: own, previousEncounterId: registered })]);
  });

  it('follows the same rule for notifications spooled while the database hung, then drained', async () => {
    const app = await start({ INTAKE_COMMIT_TIMEOUT_MS: '200' });
    const [sessionId, wrong, right, other] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await register(app.baseUrl, sessionId, { encounterId: wrong });
    const t0 = Date.now() - 30_000;
    // Intake's writes wait behind this lock: no commit within INTAKE_COMMIT_TIMEOUT_MS, so both are spooled.
    const holder = new Client({ connectionString: db().url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE deliveries IN ACCESS EXCLUSIVE MODE');
      const first = await postNotification(app.baseUrl, aSuccessNotification({ session_id: sessionId, encounter_id: right }), {
        generatedAt: t0,
      });
      const second = await postNotification(app.baseUrl, aFailureNotification({ session_id: sessionId, encounter_id: other }), {
        generatedAt: t0 + 1_000,
      });
      expect([first.status, second.status]).toEqual([202, 202]);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    await eventually(
      () => timeline(sessionId),
      (outcomes) => outcomes.filter((outcome) => outcome !== 'duplicate').length === 2,
      20_000,
    );
    expect(await timeline(sessionId)).toEqual(['applied', 'conflict']);
    expect(await sessionRow(sessionId)).toEqual({ encounter_id: right, encounter_bound: true, status: 'completed' });
    expect(await changes(sessionId)).toEqual([expect.objectContaining({ encounterId: right, previousEncounterId: wrong })]);
  });
});
