import { Global, Injectable, Module } from '@nestjs/common';

/**
 * A graceful shutdown in two steps. announce(), the moment the signal arrives: readiness answers
 * 503 so that load balancers stop sending, while the listener still serves what they send until
 * they have noticed (SHUTDOWN_DRAIN_DELAY_MS). begin(), when the drain starts, before the HTTP
 * server waits for in-flight requests: whatever holds a request open on purpose (a long-poll)
 * answers at once instead of holding the shutdown up.
 */
@Injectable()
export class ShutdownSignal {
  private readonly listeners = new Set<() => void>();
  private begun = false;
  private announced = false;

  get shuttingDown(): boolean {
    return this.begun;
  }

  /** True from the signal on: this process is going away and must not be sent new work. */
  get stopping(): boolean {
    return this.announced;
  }

  announce(): void {
    this.announced = true;
  }

  begin(): void {
    if (this.begun) return;
    this.begun = true;
    this.announced = true;
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
