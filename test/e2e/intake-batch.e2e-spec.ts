import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * ingest_notifications() applies most batches set-based, one statement per table, and falls
 * back to ingest_notification() one by one for the batches it cannot (see the migration
 * set_based_intake). Its promise: every batch ends exactly where applying its notifications one
 * after the other, in arrival order, would. This test holds it to that on random batches over
 * a few encounters and sessions (shared encounters, ties on generated-at, reordered and
 * duplicate deliveries, unrecognised statuses, refused links, known sessions): one database
 * takes each batch whole, the other one notification at a time, and after every batch their
 * outcomes and their rows must be the same.
 */

const SESSION_KINDS = ['contents', 'structured_data', 'transcripts'] as const;
const ENCOUNTER_KINDS = ['encounter_content', 'encounter_structured_data'] as const;
const STATUSES = ['completed', 'completed', 'failed', 'cancelled', 'timed_out', null] as const;
const T0 = Date.UTC(2026, 10, 27, 9, 0, 0);

interface Row {
  arrival: string;
  rawBody: string;
  generatedAtMs: string;
  receivedAt: string;
  sessionId: string;
  encounterId: string;
  vendorStatus: string;
  rejectReason: null;
  sessionStatus: string | null;
  errorCode: string | null;
  errorDetail: string | null;
  additionalInfo: unknown;
  links: Record<string, unknown> | null;
  knownSessions: string[];
  artifacts: Array<{ kind: string; ownerId: string; sessionId: string | null; href: string; refusal: string | null }>;
}

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function randomSource(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(items: readonly T[]): T => items[int(items.length)] };
}

function scenario(seed: number, encounters = 5, sessionsPerEncounter = 5) {
  const random = randomSource(seed);
  const sent: Row[] = [];
  let arrival = 0;

  const notification = (): Row => {
    const e = random.int(encounters);
    const siblings = Array.from({ length: sessionsPerEncounter }, (_, k) => `ses-${e}-${k}`);
    const sessionId = random.pick(siblings);
    arrival += 1 + random.int(3);
    return aRow({
      sessionId,
      encounterId: `enc-${e}`,
      status: random.pick(STATUSES),
      // Few distinct instants, so ties on generated-at are common.
      generatedAtMs: T0 + random.int(6) * 1000,
      arrival,
      refused: random.next() < 0.15,
      known: random.next() < 0.3 ? siblings.filter((id) => id !== sessionId && random.next() < 0.5) : [],
      additionalInfo: random.next() < 0.5 ? { seed, n: random.int(100) } : null,
      nonce: random.next(),
    });
  };

  /** 1–7 notifications; now and then a copy of one sent before (Suki's duplicate). */
  const batch = (): Row[] => {
    const size = 1 + random.int(7);
    const rows: Row[] = [];
    for (let i = 0; i < size; i += 1) {
      if (sent.length > 0 && random.next() < 0.1) {
        const copy = { ...random.pick(sent) };
        arrival += 1;
        copy.arrival = String(BigInt(T0) * 1000n + BigInt(arrival));
        copy.receivedAt = new Date(T0 + 60_000 + arrival).toISOString();
        rows.push(copy);
      } else {
        rows.push(notification());
      }
    }
    sent.push(...rows);
    return rows;
  };
  return { batch };
}

interface RowSpec {
  sessionId: string;
  encounterId: string;
  status: string | null;
  generatedAtMs: number;
  arrival: number;
  refused?: boolean;
  known?: string[];
  additionalInfo?: unknown;
  nonce?: number;
}

/** A notification as IntakeRepository hands it to the database. */
function aRow({ sessionId, encounterId, status, generatedAtMs, arrival, refused = false, known = [], additionalInfo = null, nonce = 0 }: RowSpec): Row {
  const href = (path: string) => (refused ? `https://elsewhere.example/${path}` : `/api/v1/ambient/${path}`);
  const artifacts =
    status === null
      ? [{ kind: 'status', ownerId: sessionId, sessionId, href: href(`session/${sessionId}/status`), refusal: null }]
      : status === 'completed'
        ? [
            ...SESSION_KINDS.map((kind) => ({ kind, ownerId: sessionId, sessionId, href: href(`session/${sessionId}/${kind}`) })),
            ...ENCOUNTER_KINDS.map((kind) => ({ kind, ownerId: encounterId, sessionId: null, href: href(`encounter/${encounterId}/${kind}`) })),
          ].map((artifact) => ({ ...artifact, refusal: refused ? 'host not allowed' : null }))
        : [];
  const body = { session_id: sessionId, encounter_id: encounterId, status: status ?? 'mystery', nonce };
  return {
    arrival: String(BigInt(T0) * 1000n + BigInt(arrival)),
    rawBody: Buffer.from(JSON.stringify(body)).toString('base64'),
    generatedAtMs: String(generatedAtMs),
    // Non-decreasing with arrival, as the service stamps them.
    receivedAt: new Date(T0 + 60_000 + arrival).toISOString(),
    sessionId,
    encounterId,
    vendorStatus: status ?? 'mystery',
    rejectReason: null,
    sessionStatus: status,
    errorCode: status === 'failed' ? 'E42' : null,
    errorDetail: status === 'failed' ? 'detail' : null,
    additionalInfo,
    links: status === null ? null : { contents: [{ href: href(`session/${sessionId}/contents`) }] },
    knownSessions: known,
    artifacts,
  };
}

/** What the set-based path takes: see ingest_notifications(). */
function takesSetPath(rows: Row[]): boolean {
  const sessions = rows.map((row) => row.sessionId);
  if (new Set(sessions).size !== sessions.length) return false;
  return !rows.some((row, i) => row.knownSessions.some((known) => sessions.indexOf(known) > i));
}

const SNAPSHOT = {
  deliveries: `SELECT id, session_id, encounter_id, generated_at, received_at, vendor_status, outcome, reject_reason,
                      encode(raw_body, 'hex') AS raw_body FROM deliveries ORDER BY id`,
  sessions: `SELECT * FROM sessions ORDER BY id`,
  encounters: `SELECT * FROM encounters ORDER BY id`,
  // The id and the generation counter depend on how many upserts touched a row, not on its state.
  artifacts: `SELECT kind, owner_id, session_id, encounter_id, status, href, attempts, last_error, next_attempt_at,
                     locked_until, requested_at, fetched_at, data, created_at, updated_at
              FROM artifacts ORDER BY owner_id, kind`,
};

describe('ingest_notifications: a batch ends where one notification after another would', () => {
  let whole: TestDatabase;
  let oneByOne: TestDatabase;

  beforeAll(async () => {
    [whole, oneByOne] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  });

  afterAll(async () => {
    await Promise.all([whole?.drop(), oneByOne?.drop()]);
  });

  beforeEach(async () => {
    const clear = 'TRUNCATE artifacts, sessions, encounters, deliveries RESTART IDENTITY CASCADE';
    await Promise.all([whole.query(clear), oneByOne.query(clear)]);
  });

  async function applyBoth(rows: Row[]): Promise<string[]> {
    const batched = await whole.query<{ ordinal: number; outcome: string }>(
      'SELECT ordinal, outcome::text AS outcome FROM ingest_notifications($1::jsonb) ORDER BY ordinal',
      [JSON.stringify(rows)],
    );
    const sequential: string[] = [];
    for (const row of rows) {
      const [{ outcome }] = await oneByOne.query<{ outcome: string }>('SELECT ingest_notification($1::jsonb)::text AS outcome', [JSON.stringify(row)]);
      sequential.push(outcome);
    }
    expect(batched.map((row) => row.outcome)).toEqual(sequential);
    for (const [table, sql] of Object.entries(SNAPSHOT)) {
      const [left, right] = await Promise.all([whole.query(sql), oneByOne.query(sql)]);
      expect({ table, rows: left }).toEqual({ table, rows: right });
    }
    return sequential;
  }

  it.each([1, 2, 3, 4, 5, 6])('random batches, seed %i', async (seed) => {
    const { batch } = scenario(seed);
    let setBased = 0;
    const outcomes = new Set<string>();
    for (let step = 0; step < 30; step += 1) {
      const rows = batch();
      if (takesSetPath(rows)) setBased += 1;
      for (const outcome of await applyBoth(rows)) outcomes.add(outcome);
    }
    // The scenario must exercise the set-based path, and reach every outcome it can produce.
    expect(setBased).toBeGreaterThanOrEqual(10);
    expect([...outcomes].sort()).toEqual(['applied', 'duplicate', 'stale', 'unrecognized']);
  });

  it('takes a batch of notifications that share one encounter and its encounter-level artifacts', async () => {
    const { batch } = scenario(99, 1, 6);
    for (let step = 0; step < 10; step += 1) await applyBoth(batch());
    const [{ count }] = await whole.query<{ count: string }>(`SELECT count(*) FROM artifacts WHERE owner_id = 'enc-0'`);
    expect(Number(count)).toBeGreaterThan(0);
  });

  it('settles a tie on generated-at within one batch by arrival, for the encounter and its artifacts', async () => {
    const at = T0 + 5000;
    const rows = [
      aRow({ sessionId: 'a', encounterId: 'e', status: 'completed', generatedAtMs: at, arrival: 1 }),
      aRow({ sessionId: 'b', encounterId: 'e', status: 'failed', generatedAtMs: at, arrival: 2 }),
      aRow({ sessionId: 'c', encounterId: 'e', status: 'completed', generatedAtMs: at, arrival: 3, refused: true }),
      aRow({ sessionId: 'd', encounterId: 'e', status: 'cancelled', generatedAtMs: at - 1000, arrival: 4 }),
    ];
    expect(takesSetPath(rows)).toBe(true);
    expect(await applyBoth(rows)).toEqual(['applied', 'applied', 'applied', 'applied']);
    const artifacts = await whole.query<{ status: string }>(`SELECT status::text FROM artifacts WHERE owner_id = 'e'`);
    expect(artifacts.map((artifact) => artifact.status)).toEqual(['failed', 'failed']);
    const [encounter] = await whole.query<{ status: string }>(`SELECT status::text FROM encounters WHERE id = 'e'`);
    expect(encounter.status).toBe('completed');
  });

  it('answers a copy of a stored notification as a duplicate and changes nothing', async () => {
    const { batch } = scenario(7);
    const first = batch();
    await applyBoth(first);
    const before = await whole.query(SNAPSHOT.sessions);
    const outcomes = await whole.query<{ outcome: string }>('SELECT outcome::text AS outcome FROM ingest_notifications($1::jsonb)', [
      JSON.stringify(first.map((row) => ({ ...row, arrival: String(BigInt(row.arrival) + 1000n) }))),
    ]);
    expect(outcomes.map((row) => row.outcome)).toEqual(first.map(() => 'duplicate'));
    expect(await whole.query(SNAPSHOT.sessions)).toEqual(before);
  });
});
