import { Global, Injectable, Module } from '@nestjs/common';

/**
 * Notifications waiting for a commit slot that mark intake as saturated. One or two waiting
 * is ordinary group commit (they arrived while both slots were busy); this many means
 * arrivals outpace commits, which at the usual 5–10 ms per commit is several hundred a second.
 */
export const INTAKE_BUSY_BACKLOG = 8;
/** How long intake still counts as busy after its backlog last fell below INTAKE_BUSY_BACKLOG. */
export const INTAKE_QUIET_MS = 500;
/**
 * No notification for this long ends the quiet period early: the burst is over, not between two
 * commits. Under load, notifications arrive every few milliseconds even while a commit keeps
 * them waiting (and then the backlog itself says busy); a burst's end otherwise held the
 * clinicians' notes back for the whole quiet period.
 */
export const INTAKE_IDLE_MS = 50;
/**
 * The window intakeRate counts arrivals over. Short, so that work stepping aside for a burst
 * (push delivery) is back at full speed within half a second of its end, not two seconds.
 */
export const INTAKE_RATE_WINDOW_MS = 250;
/**
 * An intake rate that, held for INTAKE_FLOOD_MS, is a flood rather than a burst: far above any
 * clinic's visits, and, on two cores, a load under which every fetch takes CPU from answering
 * Suki. A burst of 100 notifications is acknowledged in about 0.3 s and never counts.
 */
export const INTAKE_FLOOD_RATE = 200;
export const INTAKE_FLOOD_MS = 1_000;

/** Milliseconds on a clock that never steps back. */
export function monotonicNow(): number {
  return globalThis.performance.now();
}

/**
 * An in-process doorbell: intake rings it after committing a notification, and the retrieval
 * worker, which otherwise polls, wakes at once. Only a hint that work may be waiting; the
 * database remains the one source of truth (other replicas learn of the work by polling).
 */
@Injectable()
export class WorkSignal {
  private readonly listeners = new Set<() => void>();
  private intakeBacklog = 0;
  private lastBusyAt = Number.NEGATIVE_INFINITY;
  private arrivals = 0;
  private lastArrivalAt = Number.NEGATIVE_INFINITY;
  private arrivalsSince: number;
  private lastRate = 0;
  /** When the windows in a row above INTAKE_FLOOD_RATE began (undefined: the last was not). */
  private floodSince?: number;

  /** `now` is monotonic: a wall clock stepped back would otherwise hold retrieval back as long. */
  constructor(private readonly now: () => number = monotonicNow) {
    this.arrivalsSince = now();
  }

  /** Intake counts each notification it takes, for intakeRate. */
  noteIntakeArrival(): void {
    this.rollRate();
    this.arrivals += 1;
    this.lastArrivalAt = this.now();
  }

  /**
   * Notifications per second over the last whole window (INTAKE_RATE_WINDOW_MS; 0 after a silent one). Work that may
   * wait (push delivery) steps aside above a rate, whether or not commits queue up: under a
   * saturating load, large group commits keep the backlog itself short.
   */
  get intakeRate(): number {
    this.rollRate();
    return this.lastRate;
  }

  private rollRate(): void {
    const elapsed = this.now() - this.arrivalsSince;
    if (elapsed < INTAKE_RATE_WINDOW_MS) return;
    this.lastRate = elapsed < 2 * INTAKE_RATE_WINDOW_MS ? (this.arrivals * 1_000) / elapsed : 0;
    if (this.lastRate <= INTAKE_FLOOD_RATE) this.floodSince = undefined;
    else this.floodSince ??= this.arrivalsSince;
    this.arrivals = 0;
    this.arrivalsSince = this.now();
  }

  /**
   * Whether notifications have kept arriving above INTAKE_FLOOD_RATE for INTAKE_FLOOD_MS: under
   * such a load group commit keeps the backlog short, so intakeBusy alone would not tell it.
   * A burst (the clinician waiting for its notes) is over before this says yes.
   */
  get intakeFlooded(): boolean {
    this.rollRate();
    return this.floodSince !== undefined && this.now() - this.floodSince >= INTAKE_FLOOD_MS;
  }

  /**
   * Intake reports how many notifications wait for a commit slot. While that backlog is at
   * least INTAKE_BUSY_BACKLOG, and for INTAKE_QUIET_MS after it falls below, intake counts as
   * busy and retrieval (durable work that can wait seconds) steps aside for it: an unanswered
   * notification is the one thing Suki will not send again. The quiet period keeps a burst's
   * momentary lulls from letting retrieval back in at full speed between two batches; it ends
   * early once no notification has arrived for INTAKE_IDLE_MS (the burst is over).
   */
  reportIntakeBacklog(waiting: number): void {
    if (waiting >= INTAKE_BUSY_BACKLOG || this.intakeBacklog >= INTAKE_BUSY_BACKLOG) this.lastBusyAt = this.now();
    this.intakeBacklog = waiting;
  }

  /**
   * Whether notifications wait for a commit slot right now, without the quiet period: for work
   * that also watches intakeRate (push), whose short window already spans a burst's lulls.
   */
  get intakeSaturated(): boolean {
    return this.intakeBacklog >= INTAKE_BUSY_BACKLOG;
  }

  get intakeBusy(): boolean {
    if (this.intakeBacklog >= INTAKE_BUSY_BACKLOG) return true;
    const now = this.now();
    return now - this.lastBusyAt < INTAKE_QUIET_MS && now - this.lastArrivalAt < INTAKE_IDLE_MS;
  }

  notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** Returns the function that unsubscribes. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Global, so that intake can ring the bell without knowing who listens (if anyone). */
@Global()
@Module({ providers: [{ provide: WorkSignal, useFactory: () => new WorkSignal() }], exports: [WorkSignal] })
export class WorkSignalModule {}
