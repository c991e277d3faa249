import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { aSuccessNotification, postNotification } from '../support/notifications';
import { TestApp } from '../support/test-app';
import { useTestApp } from '../support/use-test-app';
import { waitFor } from '../support/waiting';
import { feedApi, FeedItem, feedSettled, feedWaiters, readToEnd } from './events.support';

/**
 * The feed's promise: a consumer resuming from its cursor sees every event exactly once, in one
 * order, even when transactions commit in another order than they began. A bigserial alone
 * breaks it (position 101 commits, is read, then 100 commits behind the reader's back); these
 * tests build exactly that interleaving, and a burst across two replicas.
 */
describe('change feed: gap-free', () => {
  // Two replicas of the service on one database.
  const { db, start } = useTestApp({ app: false });
  let replicas: TestApp[] = [];

  beforeAll(async () => {
    replicas = [await start(), await start()];
  });

  it('serves nothing past a transaction still open, then everything in one order once it commits', async () => {
    const [sut] = replicas;
    await feedSettled(db());
    const { cursor } = await readToEnd(sut.baseUrl);
    const held = new Client({ connectionString: db().url });
    await held.connect();
    const heldEncounter = randomUUID();
    const heldSession = randomUUID();
    try {
      // The held transaction takes its transaction id first, and writes its event only after
      // later transactions have committed theirs: its event's position is the highest of all.
      await held.query('BEGIN');
      await held.query('SELECT pg_current_xact_id()');
      const later: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        const notification = aSuccessNotification();
        expect((await postNotification(sut.baseUrl, notification)).status).toBe(200);
        later.push(notification.session_id);
      }
      await held.query('INSERT INTO encounters (id) VALUES ($1)', [heldEncounter]);
      await held.query('INSERT INTO sessions (id, encounter_id) VALUES ($1, $2)', [heldSession, heldEncounter]);

      // The three later events are committed, but the feed does not serve them past the open one.
      const whileOpen = await readToEnd(sut.baseUrl, cursor);
      expect(whileOpen.items).toEqual([]);
      const positions = await db().query<{ session_id: string; position: string }>(
        'SELECT session_id, position::text FROM events WHERE session_id = ANY($1)',
        [[...later, heldSession]],
      );
      expect(positions).toHaveLength(3); // the held one is not visible yet

      // A long-poll waiting from the cursor it was given wakes when the held transaction commits.
      const started = Date.now();
      const waiting = feedApi(sut.baseUrl)(`/v1/events?after=${whileOpen.cursor}&waitSeconds=20`);
      await waitFor(async () => (await feedWaiters(sut.baseUrl)) >= 1, 'the long-poll to be waiting', 10_000);
      await held.query('COMMIT');
      const woke = await waiting;
      expect(Date.now() - started).toBeLessThan(8_000);

      await feedSettled(db());
      const rest = await readToEnd(sut.baseUrl, woke.body.nextCursor);
      const seen = [...woke.body.items, ...rest.items].map((item) => item.sessionId);
      // In (transaction, position) order: the held transaction began first, so it comes first,
      // although its position is the highest. Nothing skipped, nothing twice.
      expect(seen).toEqual([heldSession, ...later]);
      const heldPosition = await db().query<{ position: string }>('SELECT position::text FROM events WHERE session_id = $1', [heldSession]);
      expect(positions.every((row) => BigInt(row.position) < BigInt(heldPosition[0].position))).toBe(true);
    } finally {
      await held.end();
    }
  });

  it('misses none of the acknowledged sessions of a burst written across two replicas', async () => {
    await feedSettled(db());
    const { cursor: start } = await readToEnd(replicas[0].baseUrl);
    const acknowledged = new Set<string>();
    const seen: FeedItem[] = [];
    let done = false;

    // The consumer follows through both replicas in turn, resuming from its cursor each time.
    const follow = async () => {
      let cursor = start;
      for (let turn = 0; ; turn += 1) {
        const answer = await feedApi(replicas[turn % 2].baseUrl)(`/v1/events?after=${cursor}&limit=50&waitSeconds=1`);
        expect(answer.status).toBe(200);
        seen.push(...answer.body.items);
        cursor = answer.body.nextCursor;
        if (done && answer.body.items.length === 0) return;
      }
    };
    // At least 4 s of burst and at least 150 sessions, so a slow (shared) machine still writes
    // enough interleaved transactions to matter; at most 20 s.
    const started = Date.now();
    const writer = async (index: number) => {
      const busy = () => Date.now() - started < 4_000 || (acknowledged.size < 150 && Date.now() - started < 20_000);
      while (busy()) {
        const notification = aSuccessNotification();
        const answer = await postNotification(replicas[index % 2].baseUrl, notification);
        if (answer.status === 200) acknowledged.add(notification.session_id);
      }
    };

    const consumer = follow();
    await Promise.all(Array.from({ length: 8 }, (_, index) => writer(index)));
    // Every acknowledged event is committed now; once the feed serves them all, the consumer's
    // next empty answer means it has read everything.
    await feedSettled(db());
    done = true;
    await consumer;

    const completed = seen.filter((item) => item.type === 'session.completed').map((item) => item.sessionId);
    const missed = [...acknowledged].filter((sessionId) => !completed.includes(sessionId));
    expect(acknowledged.size).toBeGreaterThan(100);
    expect(missed).toEqual([]);
    expect(new Set(seen.map((item) => item.id)).size).toBe(seen.length);
    // Every reader sees the same order: a fresh read of the same span matches the followed one.
    await feedSettled(db());
    expect((await readToEnd(replicas[1].baseUrl, start)).items.map((item) => item.id)).toEqual(seen.map((item) => item.id));
  }, 60_000);
});
