import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { describeError } from '../common/http-error';
import { AppConfig } from '../config/app-config';
import { EventsRetentionRepository } from './events-retention.repository';

const EVERY_MS = 60 * 60 * 1000;
const FIRST_AFTER_MS = 60 * 1000;
const BATCH = 10_000;
/** Bounds one run, so that a huge backlog is worked off over several runs, not in one go. */
const MAX_BATCHES_PER_RUN = 100;

/** Deletes events older than EVENTS_RETENTION_DAYS, hourly, in short batches. */
@Injectable()
export class EventsRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EventsRetention.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private readonly companions: Array<(retentionDays: number) => Promise<number>> = [];

  constructor(
    private readonly repository: EventsRetentionRepository,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(FIRST_AFTER_MS);
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /**
   * Records kept exactly as long as events (push subscriptions' attempts) are purged by every
   * run too: `purge` deletes those older than the retention and returns how many went.
   */
  alsoPurge(purge: (retentionDays: number) => Promise<number>): void {
    this.companions.push(purge);
  }

  /** One run: batches until nothing old is left (or another replica is at it). Returns how many went. */
  runOnce(): Promise<number> {
    this.running ??= this.purge().finally(() => (this.running = undefined));
    return this.running;
  }

  private async purge(): Promise<number> {
    let total = 0;
    for (let i = 0; i < MAX_BATCHES_PER_RUN; i += 1) {
      const deleted = await this.repository.purgeBatch(this.config.eventsRetentionDays, BATCH);
      if (deleted === undefined) break;
      total += deleted;
      if (deleted < BATCH) break;
    }
    if (total > 0) this.logger.log(`purged ${total} events older than ${this.config.eventsRetentionDays} days`);
    for (const purge of this.companions) total += await purge(this.config.eventsRetentionDays);
    return total;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.runOnce()
        .catch((error: unknown) => this.logger.warn(`event retention failed (${describeError(error)}); trying again later`))
        .finally(() => {
          if (this.timer) this.schedule(EVERY_MS);
        });
    }, ms);
    this.timer.unref();
  }
}
