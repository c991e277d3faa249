import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * "The latest (generated_at, arrival) wins" is event_is_newer's alone (latest_wins_once
 * migration). Here, against the migrated database: it says exactly what the comparisons it
 * replaced said, the planner inlines it (so intake's plans are what they were), and the intake
 * function the database runs is the one source file.
 */
describe('event_is_newer', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(() => db?.drop());

  // Every held (generated_at, arrival) around one new event at instant t, as rows of SQL values.
  const HELD = `(VALUES (NULL::timestamptz), ('2026-12-01T10:00:00Z'), ('2026-12-01T10:00:01Z'), ('2026-12-01T10:00:02Z')) AS h(at)
    CROSS JOIN (VALUES (NULL::bigint), (0), (5), (6), (9223372036854775807)) AS ha(arrival)`;
  const NEW_AT = `'2026-12-01T10:00:01Z'::timestamptz`;

  it("answers as intake's two upserts did, for a notification's arrival", async () => {
    const rows = await db.query<{ cases: number; differing: number }>(`
      SELECT count(*)::int AS cases,
             count(*) FILTER (WHERE event_is_newer(h.at, ha.arrival, ${NEW_AT}, 5) IS DISTINCT FROM
               (h.at IS NULL OR (h.at, COALESCE(ha.arrival, 0)) < (${NEW_AT}, 5::bigint)))::int AS differing
      FROM ${HELD}`);
    expect(rows).toEqual([{ cases: 20, differing: 0 }]);
  });

  it('answers as the status check did, for an answer that stands after every notification (NULL arrival)', async () => {
    const rows = await db.query<{ cases: number; differing: number; newer: number }>(`
      SELECT count(*)::int AS cases,
             count(*) FILTER (WHERE event_is_newer(h.at, ha.arrival, ${NEW_AT}, NULL) IS DISTINCT FROM
               (h.at IS NULL OR h.at <= ${NEW_AT}))::int AS differing,
             count(*) FILTER (WHERE event_is_newer(h.at, ha.arrival, ${NEW_AT}, NULL))::int AS newer
      FROM ${HELD}`);
    // Newer than nothing held, than everything older, and than every tie at t (an earlier answer included).
    expect(rows).toEqual([{ cases: 20, differing: 0, newer: 15 }]);
  });

  it('is inlined by the planner, so the statements calling it are planned as before', async () => {
    const plan = await db.query<{ 'QUERY PLAN': string }>(`
      EXPLAIN (VERBOSE, COSTS OFF)
      SELECT 1 FROM sessions s WHERE event_is_newer(s.last_event_at, s.last_arrival, ${NEW_AT}, 1)`);
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).toContain('last_event_at');
    expect(text).not.toContain('event_is_newer');
  });

  it('is what the intake function the database runs calls, as prisma/sql/ingest_notifications.sql says', async () => {
    const source = readFileSync(resolve(__dirname, '../../prisma/sql/ingest_notifications.sql'), 'utf8');
    const bodies = [...source.matchAll(/FUNCTION (\w+)\(.*?AS \$\$(.*?)\$\$;/gs)].map(([, name, body]) => ({ name, body: body.trim() }));
    const live = await db.query<{ name: string; body: string }>(
      `SELECT proname AS name, btrim(prosrc, E' \\n') AS body FROM pg_proc WHERE proname IN ('ingest_notification', 'ingest_notifications') ORDER BY proname`,
    );
    expect(live).toEqual(bodies.sort((a, b) => a.name.localeCompare(b.name)));
    expect(live[0].body).toContain('event_is_newer(');
  });
});
