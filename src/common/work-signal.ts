import { Global, Injectable, Module } from '@nestjs/common';

/** How long intake counts as busy after notifications last had to wait for a commit slot. */
export const INTAKE_QUIET_MS = 500;

/**
 * An in-process doorbell: intake rings it after committing a notification, and the retrieval
 * worker, which otherwise polls, wakes at once. Only a hint that work may be waiting; the
 * database remains the one source of truth (other replicas learn of the work by polling).
 */
@Injectable()
export class WorkSignal {
  private readonly listeners = new Set<() => void>();
  private intakeBacklog = 0;
  private lastBacklogAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Intake reports how many notifications wait for a commit slot. While any wait, and for
   * INTAKE_QUIET_MS after, intake counts as busy and retrieval (durable work that can wait
   * seconds) steps aside for it: an unanswered notification is the one thing Suki will not
   * send again. The quiet period keeps a burst's momentary lulls from letting retrieval back
   * in at full speed between two batches.
   */
  reportIntakeBacklog(waiting: number): void {
    this.intakeBacklog = waiting;
    if (waiting > 0) this.lastBacklogAt = this.now();
  }

  get intakeSaturated(): boolean {
    return this.intakeBacklog > 0;
  }

  get intakeBusy(): boolean {
    return this.intakeBacklog > 0 || this.now() - this.lastBacklogAt < INTAKE_QUIET_MS;
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
