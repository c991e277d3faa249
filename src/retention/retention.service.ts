import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../common/clock';
import { describeError } from '../common/http-error';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { PurgeCounts, PurgeTable, RetentionRepository } from './retention.repository';

export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
const BATCH_SIZE = 500;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The instant before which content is purged. */
export function retentionCutoff(nowMs: number, days: number): Date {
  return new Date(nowMs - days * DAY_MS);
}

/**
 * With RETENTION_DAYS set, purges artifact data and raw notification bodies older than that:
 * once at boot (without delaying it) and then every hour. Replicas take turns through an
 * advisory lock, so one purges while the others skip that round.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RetentionService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<PurgeCounts | undefined>;
  private stopping = false;

  constructor(
    private readonly config: AppConfig,
    private readonly repository: RetentionRepository,
    private readonly metrics: MetricsService,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.retentionDays === undefined) return;
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), RETENTION_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** One purge (or none, when one is already running here or on another replica); never throws. */
  runOnce(): Promise<PurgeCounts | undefined> {
    this.running ??= this.purge()
      .catch((error: unknown) => {
        this.logger.warn(`retention purge failed (${describeError(error)}); it runs again within the hour`);
        return undefined;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async purge(): Promise<PurgeCounts | undefined> {
    const days = this.config.retentionDays!;
    const cutoff = retentionCutoff(this.clock.now(), days);
    const counts = await this.repository.whileLocked(async (client) => {
      const done: PurgeCounts = { artifacts: 0, deliveries: 0 };
      for (const table of ['artifacts', 'deliveries'] as PurgeTable[]) {
        let afterId = '0';
        while (!this.stopping) {
          const ids = await this.repository.purgeBatch(client, table, cutoff, afterId, BATCH_SIZE);
          done[table] += ids.length;
          this.metrics.purgedRecords.inc({ table }, ids.length);
          if (ids.length < BATCH_SIZE) break;
          afterId = ids[ids.length - 1];
        }
      }
      return done;
    });
    if (counts === undefined) this.logger.log('retention purge skipped: another replica is purging');
    else this.logger.log(`retention purge (older than ${days} days): artifacts=${counts.artifacts} deliveries=${counts.deliveries}`);
    return counts;
  }
}
