import { EventsRepository } from '../../src/events/events.repository';
import { FeedWakeups } from '../../src/events/feed-wakeups';
import { aSuccessNotification, postNotification } from '../support/notifications';
import { waitUntil } from '../support/spool-scenario';
import { TEST_INTERNAL_TOKEN } from '../support/test-app';
import { useTestApp } from '../support/use-test-app';
import { feedWaiters } from './events.support';

const MAX_CONNECTIONS = 24;
const MAX_WAITERS = 10;

/**
 * Long-polls of the change feed hold a connection for up to 30 s each: they get a budget of their
 * own within the server's connection cap, so that Suki's notifications always find a connection,
 * and a long-poll whose client went away stops at once instead of looking again until its end.
 */
describe('long-polls of the change feed', () => {
  const { sut } = useTestApp({ env: { HTTP_MAX_CONNECTIONS: String(MAX_CONNECTIONS), EVENTS_MAX_WAITERS: String(MAX_WAITERS) } });

  const waiters = () => feedWaiters(sut().baseUrl);
  const longPoll = (signal: AbortSignal) =>
    // A type nothing here writes (retrieval is off): the notifications posted meanwhile do not answer them.
    fetch(`${sut().baseUrl}/v1/events?after=now&types=artifact.failed&waitSeconds=30`, {
      headers: { authorization: `Bearer ${TEST_INTERNAL_TOKEN}` },
      signal,
    });

  it('answers 429 with Retry-After past the budget, keeps taking notifications, and ends the waiters whose clients left', async () => {
    const clients = Array.from({ length: MAX_WAITERS }, () => new AbortController());
    const polls = clients.map((client) => longPoll(client.signal).catch(() => undefined));
    try {
      await waitUntil('every long-poll waiting', async () => (await waiters()) === MAX_WAITERS);

      const refused = await fetch(`${sut().baseUrl}/v1/events?after=now&waitSeconds=30`, {
        headers: { authorization: `Bearer ${TEST_INTERNAL_TOKEN}` },
      });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await refused.json()) as { message: string }).message).toContain('EVENTS_MAX_WAITERS');
      // A poll that does not wait is still served.
      const plain = await fetch(`${sut().baseUrl}/v1/events?after=now`, { headers: { authorization: `Bearer ${TEST_INTERNAL_TOKEN}` } });
      expect(plain.status).toBe(200);

      // Suki's notifications find connections while the long-polls fill their budget.
      const posted = await Promise.all(Array.from({ length: 8 }, () => postNotification(sut().baseUrl, aSuccessNotification())));
      expect(posted.map((answer) => answer.status)).toEqual(posted.map(() => 200));
      expect(await waiters()).toBe(MAX_WAITERS);
    } finally {
      // The clients go away: every long-poll stops, and looks at the feed no more.
      const reads = jest.spyOn(sut().app.get(EventsRepository), 'read');
      clients.forEach((client) => client.abort());
      await Promise.all(polls);
      await waitUntil('no long-poll waiting', async () => (await waiters()) === 0, 5_000);
      const readsWhenEnded = reads.mock.calls.length;
      // A commit wakes every waiter there is: an ended one would look again at once.
      const wakeups = sut().app.get(FeedWakeups);
      const generation = wakeups.generation;
      await postNotification(sut().baseUrl, aSuccessNotification());
      await waitUntil("the commit's wake-up", () => Promise.resolve(wakeups.generation > generation), 5_000);
      expect(reads.mock.calls.length).toBe(readsWhenEnded);
      reads.mockRestore();
    }
  }, 60_000);
});
