import { randomUUID } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import {
  aCancelledNotification,
  aFailureNotification,
  aSuccessNotification,
  aTimeoutNotification,
  postNotification,
} from '../support/notifications';

describe('POST /webhooks/notification', () => {
  let db: TestDatabase;
  let sut: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    sut = await startTestApp(db.url);
  });

  afterAll(async () => {
    await sut?.close();
    await db?.drop();
  });

  const session = async (id: string) => (await db.query('SELECT * FROM sessions WHERE id = $1', [id]))[0];
  const deliveries = async (sessionId: string) =>
    db.query('SELECT outcome, vendor_status FROM deliveries WHERE session_id = $1 ORDER BY id', [sessionId]);

  it('applies a first success and records delivery, encounter, session and retrieval work', async () => {
    const body = aSuccessNotification();
    const answer = await postNotification(sut.baseUrl, body);
    expect(answer).toEqual({ status: 200, body: { outcome: 'applied' } });
    expect(await session(body.session_id as string)).toMatchObject({ status: 'completed', encounter_id: body.encounter_id });
    expect(await deliveries(body.session_id as string)).toEqual([{ outcome: 'applied', vendor_status: 'success' }]);
    const kinds = await db.query('SELECT kind FROM artifacts WHERE encounter_id = $1 ORDER BY kind', [body.encounter_id]);
    expect(kinds.map((row) => row.kind).sort()).toEqual(
      ['contents', 'encounter_content', 'encounter_structured_data', 'structured_data', 'transcripts'].sort(),
    );
  });
});
