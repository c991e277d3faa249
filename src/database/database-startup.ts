import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError, isConnectionError } from '../common/http-error';
import { AppConfig } from '../config/app-config';
import { settledWithin } from '../common/settled-within';
import { applyMigrations } from './migrator';

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

/**
 * Migrations for a service that booted while its database was away (see runtime.ts): applied
 * in the background, under the same advisory lock, as soon as the database answers. Until then
 * intake spools and the drainer waits on `migrated`.
 */
@Injectable()
export class DatabaseStartup implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Migrations');
  private done: boolean;
  private stopped = false;
  private readonly stopping = new AbortController();
  private loop?: Promise<void>;

  constructor(private readonly config: AppConfig) {
    this.done = !config.migrateWhenReachable;
  }

  get migrated(): boolean {
    return this.done;
  }

  onApplicationBootstrap(): void {
    if (!this.done) this.loop = this.migrateWhenReachable();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    // An attempt under way is bounded by the migrator's connect timeout; the lock wait is not.
    await settledWithin(this.loop, 3_000);
  }

  private async migrateWhenReachable(): Promise<void> {
    let retryMs = RETRY_MIN_MS;
    while (!this.stopped) {
      try {
        const applied = await applyMigrations(this.config.databaseUrl!, undefined, this.config.databaseConnectTimeoutMs);
        this.logger.log(
          applied.length > 0 ? `database reachable: applied migrations ${applied.join(', ')}` : 'database reachable: migrations up to date',
        );
        this.done = true;
        return;
      } catch (error) {
        if (!isConnectionError(error)) {
          // A migration that fails needs an operator (migrator.ts says how); retrying cannot fix it.
          this.logger.error(`migrations failed: ${error instanceof Error ? error.message : describeError(error)}`);
          return;
        }
        await sleep(retryMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
    }
  }
}
