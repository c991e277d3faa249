import { aSuccessNotification, postNotification } from '../support/notifications';
import { metric, waitUntil } from '../support/spool-scenario';
import { useTestApp } from '../support/use-test-app';

const ADMIN = 'operator-admin-token-0123456789';
const POISON = 'session-the-database-refuses';

/**
 * A spooled notification the database refuses for ever (here a trigger that raises) used to hold
 * every record behind it in the spool for ever. It is quarantined after a bounded number of
 * tries, the rest drains in order, and it is listed, counted and retried on demand.
 */
describe('spool: a record the database refuses on every try', () => {
  const { db, sut } = useTestApp({ env: { INTERNAL_API_CLIENTS: `operator:admin:${ADMIN}` } });
  const admin = (path: string, method = 'GET') =>
    fetch(`${sut().baseUrl}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}` } });

  it('is quarantined while the rest drains in order, then listed, counted, and applied once retried', async () => {
    await db().query(`CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.session_id = '${POISON}' THEN RAISE EXCEPTION 'refused by a trigger'; END IF;
        RETURN NEW;
      END $$`);
    await db().query('CREATE TRIGGER refuse_one BEFORE INSERT ON deliveries FOR EACH ROW EXECUTE FUNCTION refuse_one()');

    // The database answers but will not take it: kept in the spool (acknowledged), and what follows queues behind it.
    const refused = await postNotification(sut().baseUrl, aSuccessNotification({ session_id: POISON }));
    expect(refused).toMatchObject({ status: 202, body: { outcome: 'spooled' } });
    const behind: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const body = aSuccessNotification();
      const answer = await postNotification(sut().baseUrl, body);
      expect(answer.status).toBeLessThan(300);
      behind.push(body.session_id);
    }

    await waitUntil(
      'the notifications behind the refused one in the database',
      async () => (await stored(behind)).length === behind.length,
    );
    // In arrival order.
    expect(await stored(behind)).toEqual(behind);
    expect(await metric(sut().baseUrl, 'suki_spool_quarantined')).toBe(1);
    await waitUntil('an empty spool', async () => (await metric(sut().baseUrl, 'suki_spool_records')) === 0);

    const listed = await admin('/v1/spool/quarantine');
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({
      items: [
        {
          arrival: expect.stringMatching(/^\d+$/),
          sessionId: POISON,
          receivedAt: expect.any(String),
          quarantinedAt: expect.any(String),
          tries: 5,
          // The error's name and code, never its message (which can quote the data).
          reason: expect.stringMatching(/^\w+ \w+$/),
          bytes: expect.any(Number),
        },
      ],
    });
    // Admin only.
    const reader = await fetch(`${sut().baseUrl}/v1/spool/quarantine`, { headers: { authorization: 'Bearer test-internal-token' } });
    expect(reader.status).toBe(403);

    await db().query('DROP TRIGGER refuse_one ON deliveries');
    const retried = await admin('/v1/spool/quarantine/retry', 'POST');
    expect(retried.status).toBe(202);
    expect(await retried.json()).toEqual({ retried: 1 });
    await waitUntil('the retried notification in the database', async () => (await stored([POISON])).length === 1);
    expect(await metric(sut().baseUrl, 'suki_spool_quarantined')).toBe(0);
    expect(await (await admin('/v1/spool/quarantine')).json()).toEqual({ items: [] });
  }, 60_000);

  /** Of `sessionIds`, those with a delivery, in the order the database stored them. */
  async function stored(sessionIds: string[]): Promise<string[]> {
    const rows = await db().query<{ session_id: string }>('SELECT session_id FROM deliveries WHERE session_id = ANY($1) ORDER BY id', [
      sessionIds,
    ]);
    return rows.map((row) => row.session_id);
  }
});
