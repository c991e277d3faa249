import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import { SpoolStore } from '../spool/spool.store';
import { ConsoleRetrievalTiming, ConsoleSubscriptions } from './console-providers';
import { ConsoleRepository } from './console.repository';
import { Figure, formatAge } from './console.views';
import { WindowedTotal } from './hourly-window';

const HOUR_MS = 3_600_000;
const SAMPLE_EVERY_MS = 60_000;
const BREAKER_WORDS = ['closed (calling Suki at full concurrency)', 'half-open (one probe out)', 'open (backing off Suki)'];

export interface Overview {
  figures: Figure[];
  backlog: Figure[];
  subscriptions: Figure[];
}

/**
 * The overview's figures, from the database (cluster-wide) and this process's own services: the
 * spool, the breaker and the counters of notifications refused or spooled here, which live in
 * this process only and are said to be "on this instance".
 */
@Injectable()
export class ConsoleOverviewService implements OnModuleInit, OnModuleDestroy {
  private readonly spooled = new WindowedTotal(HOUR_MS);
  private readonly refused = new WindowedTotal(HOUR_MS);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly repository: ConsoleRepository,
    private readonly metrics: MetricsService,
    private readonly spool: SpoolStore,
    private readonly subscriptions: ConsoleSubscriptions,
    private readonly timing: ConsoleRetrievalTiming,
  ) {}

  onModuleInit(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), SAMPLE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async overview(): Promise<Overview> {
    await this.sample();
    const [counts, subscriptions, timeToNote] = await Promise.all([
      this.repository.overview(),
      this.subscriptions.list(),
      this.timing.timeToNote(),
    ]);
    const depth = this.spool.depth();
    const breaker = (await this.metrics.breakerState.get()).values[0]?.value ?? 0;
    const spooled = this.spooled.delta();
    const refused = this.refused.delta();
    const span = spooled.coversMs < HOUR_MS ? ` (this instance, last ${formatAge(spooled.coversMs / 1000)})` : ' (this instance)';
    const figures: Figure[] = [
      { label: 'Notifications received in the last hour', value: String(counts.received) },
      { label: `Notifications spooled in the last hour${span}`, value: String(spooled.value) },
      {
        label: 'Notifications rejected in the last hour',
        value: String(counts.rejected + refused.value),
        alert: counts.rejected + refused.value > 0,
      },
      { label: 'Spool records', value: String(depth.records), alert: depth.records > 0 },
      {
        label: 'Oldest spool record age',
        value: depth.oldestReceivedAtMs === undefined ? '—' : formatAge((Date.now() - depth.oldestReceivedAtMs) / 1000),
      },
      { label: 'Suki breaker', value: BREAKER_WORDS[breaker] ?? String(breaker), alert: breaker !== 0 },
      { label: 'Failed artifacts', value: String(counts.failed), alert: counts.failed > 0 },
      { label: 'Unresolved reconciliations', value: String(counts.unresolved), alert: counts.unresolved > 0 },
      { label: 'Sessions being reconciled', value: String(counts.reconciling) },
      {
        label: 'Feed lag',
        value: counts.feedHeld === 0 ? '0 s' : `${formatAge(counts.feedLagSeconds)} (${counts.feedHeld} events held)`,
        alert: counts.feedHeld > 0,
      },
      { label: 'Time to note', value: timeToNote?.summary ?? 'no note in the last hour' },
    ];
    const backlog: Figure[] = counts.backlog.length
      ? counts.backlog.map((line) => ({
          label: `Backlog ${line.kind}`,
          value: `${line.pending} pending, oldest ${formatAge(line.oldestAgeSeconds)}`,
        }))
      : [{ label: 'Retrieval backlog', value: '0 pending' }];
    return {
      figures,
      backlog,
      subscriptions: subscriptions.map((s) => ({
        label: `Subscription ${s.url}`,
        value: `${s.status}, lag ${s.lagEvents ?? '—'} events / ${s.lagSeconds === null ? '—' : formatAge(s.lagSeconds)}`,
        alert: s.status !== 'active',
      })),
    };
  }

  private async sample(): Promise<void> {
    const now = Date.now();
    this.spooled.record(now, await total(this.metrics.spoolWritten));
    this.refused.record(now, await total(this.metrics.signatureFailures));
  }
}

async function total(counter: Counter): Promise<number> {
  return (await counter.get()).values.reduce((sum, sample) => sum + sample.value, 0);
}
