import { compare, FeedPosition } from '../events/event-cursor';
import { retryDelayMs, scheduleExhausted } from './retry-schedule';

/** One feed event to deliver, with the key that orders it (its session, else its encounter). */
export interface QueuedEvent {
  at: FeedPosition;
  key: string;
}

export interface Entry<E extends QueuedEvent = QueuedEvent> {
  event: E;
  state: 'waiting' | 'sending' | 'settled';
  failures: number;
  firstAttemptAt?: number;
  dueAt: number;
  /** Settled and written down (the cursor passed it, or it is in the settled set). */
  persisted: boolean;
}

/** How one attempt ended, as the dispatcher acts on it. */
export type AttemptResult =
  | { kind: 'delivered' }
  /** Any other answer or no answer; `retryAfterMs` from a 429 or 503. */
  | { kind: 'failed'; retryAfterMs?: number }
  /** 410: the receiver asks us to stop. */
  | { kind: 'gone' };

/** After this many failures in a row across the endpoint, it is probed instead of retried per event. */
export const PROBE_AFTER_FAILURES = 5;
export const PROBE_EVERY_MS = 30_000;

/**
 * The pure core of one subscription's dispatch: which events may go now, and how far the cursor
 * may move. Events of one key go one at a time in feed order (the next only once the previous
 * settled: 2xx, or given up and recorded as failed); different keys go concurrently up to
 * maxInFlight. The cursor is a low watermark: it moves past an event only once it and everything
 * before it settled. While the endpoint fails everything it is probed: one delivery at a time,
 * at most every PROBE_EVERY_MS, whatever each event's own schedule says; the first 2xx makes
 * every waiting event due again.
 */
export class DispatchState<E extends QueuedEvent = QueuedEvent> {
  readonly entries: Array<Entry<E>> = [];
  consecutiveFailures = 0;
  probing = false;
  private lastProbeAt = Number.NEGATIVE_INFINITY;
  /** Nothing is sent before this (a Retry-After). */
  holdUntil = 0;
  sending = 0;

  constructor(
    /** Everything up to here is settled and persisted. */
    public cursor: FeedPosition,
    /** Everything up to here has been read into `entries`. */
    public readTo: FeedPosition,
    public failingSince: number | undefined,
    private readonly random: () => number = Math.random,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /** Entries not yet settled (waiting or sending). */
  get open(): number {
    let open = 0;
    for (const entry of this.entries) if (entry.state !== 'settled') open += 1;
    return open;
  }

  add(events: E[], readTo: FeedPosition, now: number): void {
    for (const event of events) this.entries.push({ event, state: 'waiting', failures: 0, dueAt: now, persisted: false });
    this.readTo = readTo;
  }

  /** The entries to start now, marked sending. */
  startable(now: number, maxInFlight: number): Array<Entry<E>> {
    if (now < this.holdUntil) return [];
    const limit = this.probing ? 1 : maxInFlight;
    if (this.probing && now < this.lastProbeAt + PROBE_EVERY_MS) return [];
    const busy = new Set<string>();
    const chosen: Array<Entry<E>> = [];
    for (const entry of this.entries) {
      if (this.sending + chosen.length >= limit) break;
      if (entry.state === 'settled') continue;
      const blocked = busy.has(entry.event.key);
      busy.add(entry.event.key);
      if (blocked || entry.state === 'sending' || (!this.probing && entry.dueAt > now)) continue;
      chosen.push(entry);
    }
    for (const entry of chosen) {
      entry.state = 'sending';
      entry.firstAttemptAt ??= now;
    }
    if (this.probing && chosen.length > 0) this.lastProbeAt = now;
    this.sending += chosen.length;
    return chosen;
  }

  /** Records an attempt's end; returns 'gave-up' when the event's schedule is over (recorded as failed). */
  settle(entry: Entry<E>, result: AttemptResult, now: number): 'delivered' | 'retry' | 'gave-up' | 'gone' {
    this.sending -= 1;
    if (result.kind === 'delivered') {
      entry.state = 'settled';
      this.consecutiveFailures = 0;
      this.failingSince = undefined;
      if (this.probing) {
        // The endpoint answers again: full speed, every waiting event due now.
        this.probing = false;
        for (const other of this.entries) if (other.state === 'waiting') other.dueAt = now;
      }
      return 'delivered';
    }
    this.consecutiveFailures += 1;
    this.failingSince ??= now;
    if (this.consecutiveFailures >= PROBE_AFTER_FAILURES && !this.probing) {
      this.probing = true;
      this.lastProbeAt = now;
    }
    entry.state = 'waiting';
    if (result.kind === 'gone') return 'gone';
    entry.failures += 1;
    if (scheduleExhausted(entry.failures, now - (entry.firstAttemptAt ?? now))) {
      entry.state = 'settled';
      return 'gave-up';
    }
    entry.dueAt = now + retryDelayMs(entry.failures, this.random);
    if (result.retryAfterMs !== undefined) {
      entry.dueAt = Math.max(entry.dueAt, now + result.retryAfterMs);
      this.holdUntil = Math.max(this.holdUntil, now + result.retryAfterMs);
    }
    return 'retry';
  }

  /**
   * Drops the settled prefix and returns where the cursor may now be: past the last event of
   * that prefix, or past everything read when nothing is left open.
   */
  advance(): FeedPosition {
    let moved: FeedPosition | undefined;
    while (this.entries.length > 0 && this.entries[0].state === 'settled') moved = this.entries.shift()!.event.at;
    const next = this.entries.length === 0 ? this.readTo : moved;
    return next && compare(next, this.cursor) > 0 ? next : this.cursor;
  }

  /** Settled events beyond the first open one that are not yet written down. */
  unpersistedBeyond(): Array<Entry<E>> {
    return this.entries.filter((entry) => entry.state === 'settled' && !entry.persisted);
  }

  /**
   * When an entry could next start (for the dispatcher's timer), or undefined when only a
   * delivery ending can change that (all slots busy, or nothing waiting at the head of its key).
   * Blocked entries do not count: their being due would only wake the dispatcher for nothing.
   */
  nextDueAt(maxInFlight: number): number | undefined {
    if (this.sending >= (this.probing ? 1 : maxInFlight)) return undefined;
    let earliest: number | undefined;
    const heads = new Set<string>();
    for (const entry of this.entries) {
      if (entry.state === 'settled' || heads.has(entry.event.key)) continue;
      heads.add(entry.event.key);
      if (entry.state === 'waiting' && (earliest === undefined || entry.dueAt < earliest)) earliest = entry.dueAt;
    }
    if (earliest === undefined) return undefined;
    if (this.probing) earliest = Math.max(earliest, this.lastProbeAt + PROBE_EVERY_MS);
    return Math.max(earliest, this.holdUntil);
  }
}
