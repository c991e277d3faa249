import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { SharedResult } from '../common/shared-result';
import { MetricsService } from '../metrics/metrics.service';
import { EventsRepository } from './events.repository';

/** As for the other gauges read from the database: at most one read per period, however often scraped. */
const LAG_CACHE_MS = 5_000;

/** The change feed's metrics: its long-polls, its shared frontier probe, and its lag. */
@Injectable()
export class FeedMetrics {
  readonly waiters: Gauge;
  readonly waitersRefused: Counter;
  readonly frontierProbes: Counter;
  readonly lag: Gauge;

  constructor(metrics: MetricsService, events: EventsRepository) {
    const registers = [metrics.registry];
    this.waiters = new Gauge({ name: 'suki_events_waiters', help: 'Long-polls of GET /v1/events waiting now', registers });
    this.waitersRefused = new Counter({
      name: 'suki_events_waiters_refused_total',
      help: 'Long-polls of GET /v1/events answered 429: EVENTS_MAX_WAITERS were already waiting',
      registers,
    });
    this.frontierProbes = new Counter({
      name: 'suki_events_frontier_probes_total',
      help: 'Reads of the cluster xmin made on behalf of every long-poll waiting behind an open transaction',
      registers,
    });
    const lag = new SharedResult(() => events.lagSeconds(), LAG_CACHE_MS);
    this.lag = new Gauge({
      name: 'suki_events_feed_lag_seconds',
      help: 'Seconds from the newest servable event of the change feed to the newest committed one waiting behind an older open transaction',
      registers,
      async collect() {
        // Absent rather than stale when the database cannot say.
        const seconds = await lag.get().catch(() => undefined);
        if (seconds === undefined) this.remove({});
        else this.set(seconds);
      },
    });
  }
}
