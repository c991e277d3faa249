import { DispatchState, PROBE_AFTER_FAILURES, PROBE_EVERY_MS, QueuedEvent } from './dispatch-state';

const at = (n: number) => ({ xid: 10n, position: BigInt(n) });
const ev = (n: number, key: string): QueuedEvent => ({ at: at(n), key });
const fresh = (events: QueuedEvent[], now = 0) => {
  const state = new DispatchState(at(0), at(0), undefined, () => 0.5);
  state.add(events, at(100), now);
  return state;
};
const positions = (entries: Array<{ event: QueuedEvent }>) => entries.map((e) => Number(e.event.at.position));

describe('DispatchState', () => {
  it.each([
    ['one per key, in feed order', [ev(1, 'a'), ev(2, 'a'), ev(3, 'b')], 8, [1, 3]],
    ['up to maxInFlight across keys', [ev(1, 'a'), ev(2, 'b'), ev(3, 'c')], 2, [1, 2]],
    ['a waiting event blocks its key', [ev(1, 'a'), ev(2, 'b'), ev(3, 'a'), ev(4, 'b')], 8, [1, 2]],
  ])('starts %s', (_name, events, maxInFlight, expected) => {
    expect(positions(fresh(events).startable(0, maxInFlight))).toEqual(expected);
  });

  it('sends the next event of a key only after the previous one settled', () => {
    const state = fresh([ev(1, 'a'), ev(2, 'a')]);
    const [first] = state.startable(0, 8);
    expect(state.startable(0, 8)).toEqual([]);
    state.settle(first, { kind: 'delivered' }, 1);
    expect(positions(state.startable(1, 8))).toEqual([2]);
  });

  it('moves the cursor only past a settled prefix, and past everything read once nothing is open', () => {
    const state = fresh([ev(1, 'a'), ev(2, 'b'), ev(3, 'c')]);
    const [one, two, three] = state.startable(0, 8);
    state.settle(two, { kind: 'delivered' }, 1);
    expect(state.advance()).toEqual(at(0));
    expect(positions(state.unpersistedBeyond())).toEqual([2]);
    state.settle(one, { kind: 'delivered' }, 1);
    expect(state.advance()).toEqual(at(2));
    state.settle(three, { kind: 'delivered' }, 1);
    expect(state.advance()).toEqual(at(100));
  });

  it('retries a failure on the schedule (5 s, with jitter) and honours a longer Retry-After', () => {
    const state = fresh([ev(1, 'a'), ev(2, 'b')]);
    const [one, two] = state.startable(0, 8);
    expect(state.settle(one, { kind: 'failed' }, 0)).toBe('retry');
    expect(one.dueAt).toBe(5_000);
    state.settle(two, { kind: 'failed', retryAfterMs: 60_000 }, 0);
    expect(two.dueAt).toBe(60_000);
    expect(state.startable(4_999, 8)).toEqual([]);
    // The Retry-After holds the whole endpoint.
    expect(state.startable(5_000, 8)).toEqual([]);
    expect(positions(state.startable(60_000, 8))).toEqual([1, 2]);
    expect(state.failingSince).toBe(0);
  });

  it('probes an endpoint that fails everything: one at a time, every 30 s; the first 2xx makes everything due', () => {
    const state = fresh(Array.from({ length: 10 }, (_, i) => ev(i + 1, `k${i}`)));
    const started = state.startable(0, 8);
    for (const entry of started) state.settle(entry, { kind: 'failed' }, 10);
    expect(state.consecutiveFailures).toBe(8);
    expect(state.probing).toBe(true);
    expect(state.startable(10 + PROBE_EVERY_MS - 1, 8)).toEqual([]);
    const probe = state.startable(10 + PROBE_EVERY_MS, 8);
    expect(positions(probe)).toEqual([1]);
    expect(state.startable(10 + PROBE_EVERY_MS, 8)).toEqual([]);
    state.settle(probe[0], { kind: 'delivered' }, 10 + PROBE_EVERY_MS);
    expect([state.probing, state.failingSince]).toEqual([false, undefined]);
    expect(positions(state.startable(10 + PROBE_EVERY_MS, 8))).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(PROBE_AFTER_FAILURES).toBeLessThanOrEqual(8);
  });

  it('gives up on an event once its schedule is over, and its key proceeds', () => {
    const state = fresh([ev(1, 'a'), ev(2, 'a')]);
    const day = 86_400_000;
    let [entry] = state.startable(0, 8);
    let now = 0;
    let outcome = '';
    for (let i = 0; i < 10; i += 1) {
      now += 4 * day;
      outcome = state.settle(entry, { kind: 'failed' }, now);
      if (outcome === 'gave-up') break;
      state.probing = false;
      [entry] = state.startable(entry.dueAt, 8);
    }
    expect(outcome).toBe('gave-up');
    // (Five failures in a row made it a probe; the next probe carries the key's next event.)
    expect(positions(state.startable(now + PROBE_EVERY_MS, 8))).toEqual([2]);
  });

  it('leaves a 410 to the dispatcher (the subscription is disabled; the event stays open)', () => {
    const state = fresh([ev(1, 'a')]);
    const [entry] = state.startable(0, 8);
    expect(state.settle(entry, { kind: 'gone' }, 0)).toBe('gone');
    expect(state.advance()).toEqual(at(0));
  });

  it('is due again only when something could start: never for blocked entries or with every slot busy', () => {
    const state = fresh([ev(1, 'a'), ev(2, 'a'), ev(3, 'b')]);
    expect(state.nextDueAt(8)).toBe(0);
    const started = state.startable(0, 2);
    expect(positions(started)).toEqual([1, 3]);
    expect(state.nextDueAt(2)).toBeUndefined();
    // Entry 2 is due but waits behind entry 1 of its key: nothing to wake for.
    expect(state.nextDueAt(8)).toBeUndefined();
    state.settle(started[0], { kind: 'failed' }, 10);
    expect(state.nextDueAt(8)).toBe(5_010);
  });
});
