import { Global, Injectable, Module } from '@nestjs/common';

/**
 * Rung when a graceful shutdown begins, before the HTTP server waits for in-flight requests:
 * whatever holds a request open on purpose (a long-poll) answers at once instead of holding
 * the shutdown up.
 */
@Injectable()
export class ShutdownSignal {
  private readonly listeners = new Set<() => void>();
  private begun = false;

  get shuttingDown(): boolean {
    return this.begun;
  }

  begin(): void {
    if (this.begun) return;
    this.begun = true;
    for (const listener of this.listeners) listener();
  }

  /** Returns the function that unsubscribes. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

@Global()
@Module({ providers: [ShutdownSignal], exports: [ShutdownSignal] })
export class ShutdownSignalModule {}
