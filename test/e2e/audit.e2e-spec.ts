import { randomUUID } from 'node:crypto';
import { aSuccessNotification } from '../support/notifications';
import { ISO_UTC, markArtifactReady, useQueryApp } from './query.support';

const CLINICIAN = 'clinician-token-0123456789';
const READER = 'reader-token-0123456789';
const ADMIN = 'admin-token-0123456789';

interface AuditRow {
  id: string;
  at: Date;
  client: string;
  action: string;
  session_id: string | null;
  encounter_id: string | null;
  kind: string | null;
  request_id: string;
  caller_request_id: string | null;
  remote_address: string | null;
}
interface AuditItem {
  at: string;
  requestId: string;
  callerRequestId: string | null;
}
interface AuditPage {
  items: AuditItem[];
  nextCursor: string | null;
}
const FROM_LOCALHOST: unknown = expect.stringMatching(/127\.0\.0\.1$/);
const AN_INSTANT: unknown = expect.stringMatching(ISO_UTC);
const A_STRING: unknown = expect.any(String);
const dataOf = (body: unknown) => (body as { data: unknown }).data;

describe('the access audit', () => {
  const { db, get, post } = useQueryApp({
    INTERNAL_API_CLIENTS: `clinician:read+content:${CLINICIAN},reader:read:${READER},ops:admin:${ADMIN}`,
  });
  const NOTE = { note: 'Assessment: tension headache.' };
  const auditRows = (sessionOrEncounter: string) =>
    db().query<AuditRow>('SELECT * FROM access_audit WHERE session_id = $1 OR encounter_id = $1 ORDER BY id', [sessionOrEncounter]);

  async function aReadyNote(): Promise<{ sessionId: string; encounterId: string }> {
    const sessionId = randomUUID();
    const encounterId = randomUUID();
    await post(aSuccessNotification({ session_id: sessionId, encounter_id: encounterId, sessions: [] }));
    await markArtifactReady(db(), sessionId, 'contents', NOTE);
    await markArtifactReady(db(), encounterId, 'encounter_content', NOTE);
    return { sessionId, encounterId };
  }

  it('records every read of note content, before the answer: client, action, ids, kind, request id, address, time', async () => {
    const { sessionId, encounterId } = await aReadyNote();
    const before = Date.now();
    const session = await get(`/v1/sessions/${sessionId}/artifacts/contents`, { token: CLINICIAN, headers: { 'x-request-id': 'req-1' } });
    const encounter = await get(`/v1/encounters/${encounterId}/artifacts/encounter_content`, {
      token: CLINICIAN,
      headers: { 'x-request-id': 'req-2' },
    });
    expect([session.status, encounter.status]).toEqual([200, 200]);
    expect(dataOf(session.body)).toEqual(NOTE);

    const rows = await auditRows(encounterId);
    expect(rows).toEqual([
      expect.objectContaining({
        client: 'clinician',
        action: 'artifact.read',
        session_id: sessionId,
        encounter_id: encounterId,
        kind: 'contents',
        // The service's own id, the one it answered with; what the caller sent is kept beside it.
        request_id: session.headers.get('x-request-id'),
        caller_request_id: 'req-1',
        remote_address: FROM_LOCALHOST,
      }),
      expect.objectContaining({
        client: 'clinician',
        action: 'artifact.read',
        session_id: null,
        encounter_id: encounterId,
        kind: 'encounter_content',
        request_id: encounter.headers.get('x-request-id'),
        caller_request_id: 'req-2',
      }),
    ]);
    for (const row of rows) expect(row.at.getTime()).toBeGreaterThanOrEqual(before - 1_000);
  });

  it("never records the caller's X-Request-Id as the request's id: two requests sending the same one stay two", async () => {
    const { sessionId } = await aReadyNote();
    const forged = 'req-of-someone-else';
    const answers = [
      await get(`/v1/sessions/${sessionId}/artifacts/contents`, { token: CLINICIAN, headers: { 'x-request-id': forged } }),
      await get(`/v1/sessions/${sessionId}/artifacts/contents`, { token: CLINICIAN, headers: { 'x-request-id': forged } }),
    ];
    const ids = answers.map((answer) => answer.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const rows = (await auditRows(sessionId)).filter((row) => row.action === 'artifact.read');
    expect(rows.map((row) => [row.request_id, row.caller_request_id])).toEqual([
      [ids[0], forged],
      [ids[1], forged],
    ]);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('records nothing for answers that carry no content: a pending artifact, a refused client, state reads', async () => {
    const sessionId = randomUUID();
    await post(aSuccessNotification({ session_id: sessionId, sessions: [] }));
    const pending = await get(`/v1/sessions/${sessionId}/artifacts/contents`, { token: CLINICIAN });
    expect([pending.status, dataOf(pending.body)]).toEqual([200, null]);
    expect((await get(`/v1/sessions/${sessionId}/artifacts/transcripts`, { token: READER })).status).toBe(403);
    expect((await get(`/v1/sessions/${sessionId}`, { token: CLINICIAN })).status).toBe(200);
    expect(await auditRows(sessionId)).toEqual([]);
  });

  it('lists the audit for admin, filtered and in keyset pages, and records that listing too', async () => {
    const { sessionId, encounterId } = await aReadyNote();
    for (let i = 0; i < 3; i++) await get(`/v1/sessions/${sessionId}/artifacts/contents`, { token: CLINICIAN });

    const seen: AuditItem[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/v1/audit?sessionId=${sessionId}&action=artifact.read&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await get(query, { token: ADMIN, headers: { 'x-request-id': 'audit-walk' } });
      expect(page.status).toBe(200);
      const body = page.body as AuditPage;
      seen.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(3);
    expect(seen[0]).toEqual({
      at: AN_INSTANT,
      client: 'clinician',
      action: 'artifact.read',
      sessionId,
      encounterId,
      previousEncounterId: null,
      kind: 'contents',
      subscriptionId: null,
      requestId: A_STRING,
      callerRequestId: null,
      remoteAddress: FROM_LOCALHOST,
    });
    expect(new Set(seen.map((item) => item.requestId)).size).toBe(3);
    const times = seen.map((item) => item.at);
    expect([...times].sort().reverse()).toEqual(times);

    // Each page of that walk is itself an admin action in the audit.
    const listings = await get(`/v1/audit?client=ops&action=audit.list&sessionId=${sessionId}`, { token: ADMIN });
    expect((listings.body as AuditPage).items.filter((item) => item.callerRequestId === 'audit-walk')).toHaveLength(2);
    const since = await get(`/v1/audit?client=clinician&since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, {
      token: ADMIN,
    });
    expect(since.body).toEqual({ items: [], nextCursor: null });
  });

  it.each([
    [
      'action=read',
      'action must be one of: artifact.read, audit.list, session.register, artifacts.list, artifacts.retry, encounter_changed, subscription.created, subscription.updated, subscription.deleted, subscription.secret_rotated, subscription.replayed, console.sign_in, console.sign_out',
    ],
    ['since=yesterday', 'since must be an ISO-8601 date or date-time with a zone, e.g. 2026-11-27T10:00:00Z'],
    ['limit=0', 'limit must be a whole number from 1 to 200'],
    ['cursor=abc', 'cursor is not a cursor this service issued for these filters (pass nextCursor verbatim, with the same filters)'],
    ['client=x&client=y', 'client must be given once'],
    ['who=me', 'property who should not exist'],
  ])('answers GET /v1/audit?%s with 400 naming the parameter', async (query, message) => {
    const answer = await get(`/v1/audit?${query}`, { token: ADMIN });
    expect(answer.status).toBe(400);
    expect((answer.body as { message: string }).message).toBe(message);
  });

  it('is refused UPDATE, DELETE and TRUNCATE by the database, whatever role connects', async () => {
    const { sessionId } = await aReadyNote();
    await get(`/v1/sessions/${sessionId}/artifacts/contents`, { token: CLINICIAN });
    const [row] = await auditRows(sessionId);
    // The test connects as the database's owner (a superuser, here): the strongest role there is short of DDL.
    const attempts = [
      `UPDATE access_audit SET client = 'someone-else' WHERE id = ${row.id}`,
      `DELETE FROM access_audit WHERE id = ${row.id}`,
      'TRUNCATE access_audit',
      // Replica mode skips ordinary triggers; these are ENABLE ALWAYS.
      `BEGIN; SET LOCAL session_replication_role = replica; DELETE FROM access_audit WHERE id = ${row.id}`,
    ];
    for (const sql of attempts) {
      await expect(db().query(sql)).rejects.toThrow(/access_audit is append-only: (UPDATE|DELETE|TRUNCATE) is refused/);
      await db().query('ROLLBACK');
    }
    expect(await auditRows(sessionId)).toEqual([row]);
  });

  it('does not serve the note when its audit record cannot be written, and serves it again once it can', async () => {
    const { sessionId, encounterId } = await aReadyNote();
    // A fault in the one place the audit is written: every insert into the table fails.
    await db().query(`CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END; $$`);
    await db().query('CREATE TRIGGER fail_audit BEFORE INSERT ON access_audit FOR EACH ROW EXECUTE FUNCTION fail_audit()');
    try {
      for (const path of [`/v1/sessions/${sessionId}/artifacts/contents`, `/v1/encounters/${encounterId}/artifacts/encounter_content`]) {
        const answer = await get(path, { token: CLINICIAN });
        expect(answer.status).toBe(503);
        expect(answer.body).toEqual({
          statusCode: 503,
          error: 'Service Unavailable',
          message: 'the access audit could not be written, so nothing is served; try again',
        });
        expect(JSON.stringify(answer.body)).not.toContain(NOTE.note);
      }
      expect((await get('/v1/audit', { token: ADMIN })).status).toBe(503);
      // Reads that carry no content do not depend on the audit.
      expect((await get(`/v1/sessions/${sessionId}`, { token: CLINICIAN })).status).toBe(200);
    } finally {
      await db().query('DROP TRIGGER fail_audit ON access_audit');
    }
    const again = await get(`/v1/sessions/${sessionId}/artifacts/contents`, { token: CLINICIAN });
    expect([again.status, dataOf(again.body)]).toEqual([200, NOTE]);
    expect(await auditRows(sessionId)).toHaveLength(1);
  });
});
