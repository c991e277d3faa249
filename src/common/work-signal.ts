import { Global, Injectable, Module } from '@nestjs/common';

/**
 * An in-process doorbell: intake rings it after committing a notification, and the retrieval
 * worker, which otherwise polls, wakes at once. Only a hint that work may be waiting; the
 * database remains the one source of truth (other replicas learn of the work by polling).
 */
@Injectable()
export class WorkSignal {
  private readonly listeners = new Set<() => void>();
  private intakeBacklog = 0;

  /**
   * Intake reports how many notifications wait for a commit slot. While any wait, intake is
   * saturated, and retrieval (durable work that can wait seconds) steps aside for it: an
   * unanswered notification is the one thing Suki will not send again.
   */
  reportIntakeBacklog(waiting: number): void {
    this.intakeBacklog = waiting;
  }

  get intakeSaturated(): boolean {
    return this.intakeBacklog > 0;
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
@Module({ providers: [WorkSignal], exports: [WorkSignal] })
export class WorkSignalModule {}
