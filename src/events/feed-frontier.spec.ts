import { EventsRepository } from './events.repository';
import { FeedFrontier, PROBE_BASE_MS, PROBE_MAX_MS } from './feed-frontier';
import { FeedMetrics } from './feed.metrics';
import { FeedWakeups } from './feed-wakeups';

describe('FeedFrontier', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  /** A frontier over a database whose xmin is `xmins` in turn (the last one repeats), and its probe times. */
  function setup(xmins: bigint[]) {
    const probedAt: number[] = [];
    let wake: () => void = () => undefined;
    const events = {
      xmin: () => {
        probedAt.push(Date.now());
        return Promise.resolve(xmins[Math.min(probedAt.length - 1, xmins.length - 1)]);
      },
    } as unknown as EventsRepository;
    const wakeups = { closed: false, onWake: (listener: () => void) => ((wake = listener), () => undefined) } as unknown as FeedWakeups;
    const metrics = { frontierProbes: { inc: () => undefined } } as unknown as FeedMetrics;
    return { sut: new FeedFrontier(events, wakeups, metrics), probedAt, notify: () => wake() };
  }

  const settled = (promise: Promise<void>) => {
    let done = false;
    void promise.then(() => (done = true));
    return () => done;
  };

  it('probes once for every waiter, backing off while the xmin stays, and releases them when it moves past', async () => {
    const { sut, probedAt } = setup([10n, 10n, 10n, 10n, 10n, 11n]);
    const first = settled(sut.waitPast(10n, 60_000));
    const second = settled(sut.waitPast(10n, 60_000));
    await jest.advanceTimersByTimeAsync(6_000);
    expect(probedAt.map((at) => at - 1_000_000)).toEqual([200, 400, 800, 1_600, 1_600 + PROBE_MAX_MS, 1_600 + 2 * PROBE_MAX_MS]);
    expect([first(), second()]).toEqual([true, true]);
    expect(sut.waiting).toBe(0);
  });

  it('starts again from the base at a commit that wrote events', async () => {
    const { sut, probedAt, notify } = setup([10n]);
    void sut.waitPast(10n, 60_000);
    await jest.advanceTimersByTimeAsync(1_500);
    expect(probedAt).toHaveLength(3); // at 200, 400, 800; the next is due at 1,600
    notify();
    await jest.advanceTimersByTimeAsync(1);
    expect(probedAt).toHaveLength(4); // 1,500 is past 800 + the base: at once
    expect(probedAt[3] - 1_000_000).toBe(1_500);
    // The xmin did not move: backing off again from the base.
    await jest.advanceTimersByTimeAsync(2 * PROBE_BASE_MS);
    expect(probedAt[4] - 1_000_000).toBe(1_900);
  });

  it('ends a waiter at its deadline or when its client leaves, and probes no more for nobody', async () => {
    const { sut, probedAt } = setup([10n]);
    const client = new AbortController();
    const left = settled(sut.waitPast(10n, 60_000, client.signal));
    const timed = settled(sut.waitPast(10n, 300));
    await jest.advanceTimersByTimeAsync(300);
    expect([left(), timed()]).toEqual([false, true]);
    client.abort();
    await jest.advanceTimersByTimeAsync(0);
    expect(left()).toBe(true);
    const probes = probedAt.length;
    await jest.advanceTimersByTimeAsync(10_000);
    expect(probedAt).toHaveLength(probes);
  });
});
