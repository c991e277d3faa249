import { Logger } from '@nestjs/common';
import { describeError } from '../common/http-error';
import { WorkSignal } from '../common/work-signal';
import { compare, FeedPosition } from '../events/event-cursor';
import { nextPosition } from '../events/event-page';
import { FeedReader } from '../events/feed-reader';
import { FeedWakeups } from '../events/feed-wakeups';
import { Lease } from '../leases/lease';
import { LeasesRepository } from '../leases/leases.repository';
import { DispatchState, Entry } from './dispatch-state';
import { BUSY_TRICKLE_MS, BusyTrickle } from './busy-trickle';
import { AttemptRecord, DispatchConfig, DispatchRepository } from './dispatch.repository';
import { DELIVERY_TIMEOUT_MS, DeliveryClient } from './delivery.client';
import { signDelivery } from './delivery-signer';
import { classify, key, PushEvent, resultLabel, toPushEvent } from './push-event';
import { PushMetrics } from './push.metrics';
import { SecretBox } from './secret-box';

export interface RunnerDeps {
  repository: DispatchRepository;
  leases: LeasesRepository;
  events: FeedReader;
  wakeups: FeedWakeups;
  client: DeliveryClient;
  box: SecretBox;
  metrics: PushMetrics;
  workSignal: WorkSignal;
  trickle: BusyTrickle;
  leaseMs: number;
  disableAfterMs: number;
}

const READ_BATCH = 500;
const FILTERED_SCAN = 5_000;
/** Events held in memory at most; reading pauses while this many are open (one stuck session holds the cursor). */
const MAX_BUFFERED = 5_000;
const FLUSH_EVERY_MS = 200;
/** Looked at again this often even without a wake-up (the listener may have been reconnecting). */
const IDLE_WAIT_MS = 1_000;
/** How soon to look again while committed events wait behind an older transaction still open. */
const HELD_RECHECK_MS = 200;

/** Notifications per second above which intake counts as busy for push (20/s is an ordinary clinic day at its peak). */
const BUSY_INTAKE_RATE = 100;
/** While intake is busy, the cursor and attempts are written this often (each flush is a write intake waits behind). */
const BUSY_FLUSH_EVERY_MS = 1_000;

type ReadState = 'more' | 'held' | 'end';

/**
 * Dispatches one subscription while this replica holds its lease: reads the feed after the
 * cursor, sends what DispatchState allows, and flushes the cursor, the settled set and the
 * attempts (fenced by the lease generation and the epoch). At most maxInFlight settled events
 * are ever unflushed when a new delivery starts, and at most maxInFlight are in flight, so a
 * crash re-sends at most 2 × maxInFlight. A delivery starts only after a check that the
 * subscription is still active and unchanged and that the lease has longer left than a
 * delivery can take: when the lease moves on, this holder's last delivery has ended.
 */
export class SubscriptionRunner {
  private readonly logger = new Logger(SubscriptionRunner.name);
  private stopped = false;
  private bell?: () => void;
  private attempts: AttemptRecord[] = [];
  private settledSinceFlush = 0;
  private lastFlushAt = 0;
  private lastCheckAt = 0;
  private flushedCursor!: FeedPosition;
  private config!: DispatchConfig;
  private secrets: string[] = [];
  private skip = new Set<string>();

  constructor(
    private readonly deps: RunnerDeps,
    private readonly lease: Lease,
  ) {}

  stop(): void {
    this.stopped = true;
    this.bell?.();
  }

  /** Runs until stopped, the lease is lost, or the subscription is no longer active. */
  async run(id: string): Promise<void> {
    const loaded = await this.deps.repository.load(id);
    if (!loaded || loaded.config.status !== 'active') return;
    this.apply(loaded.config);
    this.flushedCursor = loaded.config.cursor;
    this.skip = new Set(loaded.settled.map(key));
    const state = new DispatchState<PushEvent>(loaded.config.cursor, loaded.config.cursor, loaded.config.failingSince?.getTime());
    let renewedAt = Date.now();
    let reading: ReadState = 'more';
    let lastReadAt = 0;
    while (!this.stopped) {
      if (Date.now() - renewedAt > this.deps.leaseMs / 6) {
        if ((await this.deps.leases.renew(this.lease, this.deps.leaseMs)) === undefined) break;
        renewedAt = Date.now();
      }
      const seen = this.deps.wakeups.generation;
      // Saturated, or taking notifications fast: not intakeBusy, whose half-second quiet period
      // after a burst the rate's 250 ms window already covers (it held a burst's events back).
      const busy = this.deps.workSignal.intakeSaturated || this.deps.workSignal.intakeRate > BUSY_INTAKE_RATE;
      // Read ahead only while few events are open: a full buffer costs reading and scanning, and
      // while intake is busy (deliveries trickle) nothing is read until the last batch is done.
      const canRead = state.size < MAX_BUFFERED && state.open < (busy ? 1 : READ_BATCH);
      const lookAgain =
        reading === 'more' || (reading === 'held' && Date.now() - lastReadAt >= HELD_RECHECK_MS) || Date.now() - lastReadAt >= IDLE_WAIT_MS;
      if (lookAgain && canRead) {
        reading = await this.read(state);
        lastReadAt = Date.now();
      }
      const flushDue =
        (this.settledSinceFlush > 0 || this.attempts.length > 0) &&
        Date.now() - this.lastFlushAt > (busy ? BUSY_FLUSH_EVERY_MS : FLUSH_EVERY_MS);
      if ((this.settledSinceFlush >= this.config.maxInFlight || flushDue) && !(await this.flush(state))) break;
      if (state.failingSince !== undefined && Date.now() - state.failingSince >= this.deps.disableAfterMs) {
        await this.flush(state);
        if (await this.deps.repository.disable(id, this.lease, this.deps.disableAfterMs))
          this.logger.warn(`subscription ${id} disabled: failing too long`);
        break;
      }
      // While intake is saturated, deliveries trickle (one per BUSY_TRICKLE_MS in the process): a
      // notification not yet acknowledged is the one thing Suki never sends again; an event can wait.
      const started = busy && !this.deps.trickle.due(Date.now()) ? [] : state.startable(Date.now(), busy ? 1 : this.config.maxInFlight);
      if (busy && started.length > 0) this.deps.trickle.took(Date.now());
      // Checked before anything starts, and at least every IDLE_WAIT_MS while idle (a pause, a replay, new types).
      if ((started.length > 0 || Date.now() - this.lastCheckAt >= IDLE_WAIT_MS) && !(await this.stillOurs(id))) {
        for (const entry of started) entry.state = 'waiting';
        state.sending -= started.length;
        break;
      }
      for (const entry of started) void this.deliver(id, state, entry);
      if (reading === 'more' && canRead && !busy) continue;
      const due = state.nextDueAt(this.config.maxInFlight);
      // At least a millisecond: a timer, never a resolved promise, so the loop always lets I/O in.
      const waitMs = Math.max(
        1,
        Math.min(
          busy ? Math.max(this.deps.trickle.untilDue(Date.now()), BUSY_TRICKLE_MS) : reading === 'held' ? HELD_RECHECK_MS : IDLE_WAIT_MS,
          due === undefined ? IDLE_WAIT_MS : due - Date.now(),
        ),
      );
      // While intake is busy every commit would wake every dispatcher: they look on their own clock instead.
      await this.waitForWork(seen, waitMs, !busy);
      if (this.deps.wakeups.generation !== seen) reading = 'more';
    }
    await this.settleInFlight(state);
    await this.flush(state).catch(() => false);
  }

  private apply(config: DispatchConfig): void {
    this.config = config;
    const secrets = [this.deps.box.open(config.secret, config.id)];
    if (config.previousSecret && config.previousSecretUntil && config.previousSecretUntil.getTime() > Date.now())
      secrets.push(this.deps.box.open(config.previousSecret, config.id));
    this.secrets = secrets;
  }

  /** Reads the next events after what was read: whether there is more to read now, soon (held), or not. */
  private async read(state: DispatchState<PushEvent>): Promise<ReadState> {
    const types = this.config.types.length > 0 ? this.config.types : undefined;
    const scanLimit = types ? FILTERED_SCAN : READ_BATCH;
    const read = await this.deps.events.read(state.readTo, types, READ_BATCH, scanLimit);
    const next = nextPosition(state.readTo, read, READ_BATCH, scanLimit);
    const fresh = read.matched.filter((event) => !this.skip.has(key(event.at)));
    state.add(fresh.map(toPushEvent), next, Date.now());
    if (read.matched.length >= READ_BATCH || read.scanned >= scanLimit) return 'more';
    return read.held ? 'held' : 'end';
  }

  /** The check before deliveries start; false (after undoing the start) when this runner must end. */
  /** Still active, unchanged where it matters, and the lease ours for longer than a delivery can take. */
  private async stillOurs(id: string): Promise<boolean> {
    let check = await this.deps.repository.check(id, this.lease);
    if (check.leaseLeftMs !== null && check.leaseLeftMs < DELIVERY_TIMEOUT_MS + 2_000) {
      // Renew first: a delivery may start only if it ends before the lease could move on.
      if ((await this.deps.leases.renew(this.lease, this.deps.leaseMs)) !== undefined)
        check = await this.deps.repository.check(id, this.lease);
    }
    this.lastCheckAt = Date.now();
    const ours = check.leaseLeftMs !== null && check.leaseLeftMs >= DELIVERY_TIMEOUT_MS + 2_000;
    if (check.status !== 'active' || check.epoch !== this.config.epoch || !ours) return false;
    if (check.version !== this.config.version) {
      const loaded = await this.deps.repository.load(id);
      if (loaded) this.apply(loaded.config);
    }
    return true;
  }

  private async deliver(id: string, state: DispatchState<PushEvent>, entry: Entry<PushEvent>): Promise<void> {
    const event = entry.event;
    const at = new Date();
    const outcome = await this.deps.client.post(this.config.url, event.body, { ...signDelivery(event.id, event.body, this.secrets, at) });
    const result = classify(outcome, Date.now());
    this.deps.metrics.attempts.inc({ result: resultLabel(outcome) });
    this.deps.metrics.attemptDuration.observe(outcome.durationMs / 1000);
    this.attempts.push({
      eventId: event.id,
      sessionId: event.sessionId,
      attemptedAt: at,
      httpStatus: outcome.httpStatus ?? null,
      durationMs: outcome.durationMs,
      error: outcome.error ?? null,
    });
    const settled = state.settle(entry, result, Date.now());
    if (settled === 'delivered') this.deps.metrics.deliveryLag.observe(Math.max(0, Date.now() - event.occurredAt) / 1000);
    if (settled === 'delivered' || settled === 'gave-up') this.settledSinceFlush += 1;
    if (settled === 'gave-up')
      this.logger.warn(`subscription ${id}: event ${event.id} refused until its retry schedule ended; recorded as failed`);
    if (settled === 'gone') {
      this.logger.warn(`subscription ${id} disabled: the endpoint answered 410`);
      await this.flush(state).catch(() => false);
      await this.deps.repository
        .disable(id, this.lease)
        .catch((error: unknown) => this.logger.warn(`disabling ${id} failed (${describeError(error)})`));
      this.stop();
    }
    this.bell?.();
  }

  /** Writes the cursor, the settled set and the attempts; false when the lease or the epoch moved on. */
  private async flush(state: DispatchState<PushEvent>): Promise<boolean> {
    const cursor = state.advance();
    const beyond = state.unpersistedBeyond();
    const attempts = this.attempts;
    if (attempts.length === 0 && beyond.length === 0 && compare(cursor, this.flushedCursor) === 0) return true;
    this.attempts = [];
    const written = await this.deps.repository.flush(this.config.id, this.config.epoch, this.lease, {
      cursor,
      settledBeyond: beyond.map((entry) => entry.event.at),
      failingSince: state.failingSince === undefined ? null : new Date(state.failingSince),
      attempts,
    });
    this.lastFlushAt = Date.now();
    if (!written) return false;
    for (const entry of beyond) entry.persisted = true;
    state.cursor = cursor;
    this.flushedCursor = cursor;
    this.settledSinceFlush = 0;
    return true;
  }

  /** Until a delivery ends, the feed has news (when `onFeed`), or `ms` pass. */
  private waitForWork(seen: number, ms: number, onFeed: boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.bell === done) this.bell = undefined;
        resolve();
      };
      this.bell = done;
      const timer = setTimeout(done, ms);
      // A wake-up that came since `seen` resolves at once: the timer above still lets I/O in first.
      if (onFeed) void this.deps.wakeups.wait(seen, ms).then(() => setImmediate(done));
    });
  }

  private async settleInFlight(state: DispatchState<PushEvent>): Promise<void> {
    const deadline = Date.now() + DELIVERY_TIMEOUT_MS + 1_000;
    while (state.sending > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
