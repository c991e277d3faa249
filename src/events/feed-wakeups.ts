import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { ShutdownSignal } from '../common/shutdown-signal';
import { describeError } from '../common/http-error';
import { AppConfig } from '../config/app-config';

/** The channel the change_feed migration's record_event() notifies, at the writer's commit. */
export const FEED_CHANNEL = 'suki_events';
const RECONNECT_MS = 1_000;

/**
 * One LISTEN connection per process (not per request) that wakes the long-polls waiting for
 * events. A wake-up is only a hint to look again; the events table stays the truth. While the
 * connection is down (a database restart), waiters look again every RECONNECT_MS instead.
 */
@Injectable()
export class FeedWakeups implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(FeedWakeups.name);
  private readonly waiters = new Set<() => void>();
  private readonly listeners = new Set<() => void>();
  private client?: Client;
  private closing = false;
  private unsubscribe?: () => void;
  /** Bumped on every wake-up, so a read can tell whether one came while it was running. */
  generation = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly shutdown: ShutdownSignal,
  ) {}

  get listening(): boolean {
    return this.client !== undefined;
  }

  get closed(): boolean {
    return this.closing || this.shutdown.shuttingDown;
  }

  onModuleInit(): void {
    this.unsubscribe = this.shutdown.subscribe(() => this.wakeAll());
    // Not awaited: the boot never waits on the database. Until the connection is up, waiters
    // look again every RECONNECT_MS, as they do while it is down.
    void this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    this.unsubscribe?.();
    this.wakeAll();
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  /**
   * Resolves at the next wake-up, or after `ms`, or when `signal` aborts (the client went away),
   * or at once when one came since `seen` (a generation read before the caller's last look) or
   * the process is shutting down.
   */
  wait(seen: number, ms: number, signal?: AbortSignal): Promise<void> {
    if (this.generation !== seen || this.closed || ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.listening ? ms : Math.min(ms, RECONNECT_MS));
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Calls `listener` at every wake-up (a commit that wrote events, a reconnect, shutdown). */
  onWake(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private wakeAll(): void {
    this.generation += 1;
    for (const waiter of [...this.waiters]) waiter();
    for (const listener of [...this.listeners]) listener();
  }

  private async connect(): Promise<void> {
    if (this.closing) return;
    const client = new Client({
      connectionString: this.config.databaseUrl,
      application_name: 'suki-notification-service/feed',
      // A database that hangs (SIGSTOP, a frozen failover) fails the attempt, which is retried.
      connectionTimeoutMillis: this.config.databaseConnectTimeoutMs,
      query_timeout: this.config.databaseConnectTimeoutMs,
    });
    const lost = (error?: unknown) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => undefined);
      if (this.closing) return;
      this.logger.warn(`feed wake-up connection lost (${describeError(error)}); reconnecting`);
      // Events may have committed while nobody listened: everyone looks again.
      this.wakeAll();
      setTimeout(() => void this.connect(), RECONNECT_MS).unref();
    };
    client.on('notification', () => this.wakeAll());
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN ${FEED_CHANNEL}`);
      this.client = client;
      if (this.closing) await client.end().catch(() => undefined);
      else this.wakeAll();
    } catch (error) {
      client.end().catch(() => undefined);
      this.logger.warn(`feed wake-up connection failed (${describeError(error)}); retrying`);
      setTimeout(() => void this.connect(), RECONNECT_MS).unref();
    }
  }
}
