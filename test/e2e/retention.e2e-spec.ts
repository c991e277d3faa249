import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { RETENTION_LOCK } from '../../src/retention/retention.repository';
import { RetentionService } from '../../src/retention/retention.service';
import { aSuccessNotification, postNotification } from '../support/notifications';
import { parsePrometheus, sampleValue } from '../support/prometheus';
import { productionEnv, ServiceProcess, startServiceProcess, stopServiceProcess } from '../support/service-process';
import { startTestApp, TEST_INTERNAL_TOKEN, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { eventually } from '../support/waiting';
import { markArtifactReady, queryApi } from './query.support';

const NOTE = { note: 'Plan: follow up in two weeks.' };
// Matchers typed as what they match anything of.
const A_DATE: unknown = expect.any(Date);
const A_BUFFER: unknown = expect.any(Buffer);
const A_STRING: unknown = expect.any(String);

interface Note {
  sessionId: string;
  encounterId: string;
}
interface ArtifactRow {
  kind: string;
  status: string;
  data: unknown;
  purged_at: Date | null;
}
interface DeliveryRow {
  raw_body: Buffer | null;
  body_sha256: Buffer;
  outcome: string;
  purged_at: Date | null;
}

/** A session's note and its encounter's, and the notification that brought them, all `ageDays` old. */
async function aNote(db: TestDatabase, baseUrl: string, ageDays: number): Promise<Note> {
  const sessionId = randomUUID();
  const encounterId = randomUUID();
  const answer = await postNotification(baseUrl, aSuccessNotification({ session_id: sessionId, encounter_id: encounterId, sessions: [] }));
  expect(answer.status).toBe(200);
  await markArtifactReady(db, sessionId, 'contents', NOTE);
  await markArtifactReady(db, encounterId, 'encounter_content', NOTE);
  const age = `now() - ${ageDays} * interval '1 day'`;
  await db.query(`UPDATE artifacts SET fetched_at = ${age} WHERE encounter_id = $1`, [encounterId]);
  await db.query(`UPDATE deliveries SET received_at = ${age} WHERE session_id = $1`, [sessionId]);
  return { sessionId, encounterId };
}

/** The artifacts that hold (or held) a note: the two aNote made ready. */
const notesOf = (db: TestDatabase, note: Note) =>
  db.query<ArtifactRow>(`SELECT kind, status, data, purged_at FROM artifacts WHERE encounter_id = $1 AND status = 'ready' ORDER BY kind`, [
    note.encounterId,
  ]);
const deliveryOf = async (db: TestDatabase, note: Note) =>
  (
    await db.query<DeliveryRow>('SELECT raw_body, body_sha256, outcome, purged_at FROM deliveries WHERE session_id = $1', [note.sessionId])
  )[0];

describe('retention (RETENTION_DAYS)', () => {
  let db: TestDatabase;
  let old: Note;
  let recent: Note;

  beforeAll(async () => {
    db = await createTestDatabase();
    // Written by a service that keeps everything, as before RETENTION_DAYS was set.
    const seeding = await startTestApp(db.url);
    try {
      old = await aNote(db, seeding.baseUrl, 31);
      recent = await aNote(db, seeding.baseUrl, 29);
      expect((await queryApi(seeding.baseUrl)(`/v1/sessions/${old.sessionId}/artifacts/contents`)).status).toBe(200);
    } finally {
      await seeding.close();
    }
  });

  afterAll(() => db?.drop());

  describe('at boot of the compiled service', () => {
    let service: ServiceProcess;

    beforeAll(async () => {
      service = await startServiceProcess(productionEnv(db.url, { RETRIEVAL_ENABLED: 'false', RETENTION_DAYS: '30' }));
    }, 60_000);

    afterAll(async () => {
      if (service) await stopServiceProcess(service);
    });

    it('purges note content and raw bodies older than RETENTION_DAYS, and keeps ids, states, timelines and the audit', async () => {
      const purged = await eventually(
        () => notesOf(db, old),
        (rows) => rows.every((row) => row.purged_at !== null),
        20_000,
        100,
      );
      expect(purged).toEqual(['contents', 'encounter_content'].map((kind) => ({ kind, status: 'ready', data: null, purged_at: A_DATE })));
      const delivery = await eventually(
        () => deliveryOf(db, old),
        (row) => row.purged_at !== null,
        20_000,
        100,
      );
      // The digest stays: it is how a resent notification is still known as a duplicate.
      expect(delivery).toEqual({ raw_body: null, body_sha256: A_BUFFER, outcome: 'applied', purged_at: A_DATE });

      // Content younger than RETENTION_DAYS stays.
      expect((await notesOf(db, recent)).map((row) => [row.data, row.purged_at])).toEqual([
        [NOTE, null],
        [NOTE, null],
      ]);
      expect((await deliveryOf(db, recent)).raw_body).toBeInstanceOf(Buffer);

      // Through the API: the state and the timeline stay, the artifact says when its content went.
      const get = queryApi(service.baseUrl);
      const artifact = await get(`/v1/sessions/${old.sessionId}/artifacts/contents`);
      expect(artifact.body).toEqual(expect.objectContaining({ kind: 'contents', status: 'ready', data: null, purgedAt: A_STRING }));
      expect((await get(`/v1/sessions/${old.sessionId}`)).body).toEqual(expect.objectContaining({ status: 'completed' }));
      expect((await get(`/v1/sessions/${old.sessionId}/events`)).body).toEqual(
        expect.objectContaining({ events: [expect.objectContaining({ vendorStatus: 'success', outcome: 'applied' })] }),
      );
      expect((await get(`/v1/sessions/${recent.sessionId}/artifacts/contents`)).body).toEqual(expect.objectContaining({ data: NOTE }));
      // The audit of the read before the purge is still there.
      expect(await db.query('SELECT client, kind FROM access_audit WHERE session_id = $1', [old.sessionId])).toEqual([
        { client: 'token-1', kind: 'contents' },
      ]);

      const metrics = parsePrometheus(await (await fetch(`${service.baseUrl}/metrics`)).text());
      expect(sampleValue(metrics, 'suki_purged_records_total', { table: 'artifacts' })).toBe(2);
      expect(sampleValue(metrics, 'suki_purged_records_total', { table: 'deliveries' })).toBe(1);
      expect(service.logLines().map((line) => line.msg as unknown)).toContain(
        'retention purge (older than 30 days): artifacts=2 deliveries=1',
      );
    });

    it('names the client in the access log line, never its token', async () => {
      const requestId = `retention-${randomUUID()}`;
      await fetch(`${service.baseUrl}/v1/sessions`, {
        headers: { authorization: `Bearer ${TEST_INTERNAL_TOKEN}`, 'x-request-id': requestId },
      });
      const line = await eventually(
        () => service.logLines().find((entry) => entry.callerRequestId === requestId),
        (found) => found !== undefined,
        20_000,
        100,
      );
      expect(line).toEqual(expect.objectContaining({ client: 'token-1', res: { statusCode: 200 } }));
      expect(service.output()).not.toContain(TEST_INTERNAL_TOKEN);
    });
  });

  describe('across replicas', () => {
    let app: TestApp;
    let otherReplica: Client;

    beforeAll(async () => {
      app = await startTestApp(db.url, { RETENTION_DAYS: '30' });
      otherReplica = new Client({ connectionString: db.url });
      await otherReplica.connect();
    });

    afterAll(async () => {
      await otherReplica?.end();
      await app?.close();
    });

    it('purges on one replica at a time: while another holds the lock, a run does nothing', async () => {
      const retention = app.app.get(RetentionService);
      await retention.runOnce(); // whatever the boot run of this app left
      const later = await aNote(db, app.baseUrl, 40);
      // The lock the service takes, held as another replica holds it while purging.
      await otherReplica.query('SELECT pg_advisory_lock($1)', [RETENTION_LOCK]);
      expect(await retention.runOnce()).toBeUndefined();
      expect((await notesOf(db, later)).map((row) => row.data)).toEqual([NOTE, NOTE]);
      await otherReplica.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK]);
      expect(await retention.runOnce()).toEqual({ artifacts: 2, deliveries: 1 });
      expect((await notesOf(db, later)).map((row) => row.data)).toEqual([null, null]);
    });
  });
});
