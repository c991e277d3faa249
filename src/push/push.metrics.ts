import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import { SubscriptionLag, SubscriptionsRepository } from './subscriptions.repository';

/** How one delivery attempt ended, for the attempts counter. */
export type AttemptResult = 'delivered' | 'http_error' | 'redirect' | 'gone' | 'timeout' | 'connection_error' | 'host_not_allowed';

/**
 * Push delivery's metrics, on the service's registry. The per-subscription lag and the count by
 * status are read from the database at each scrape (every replica reports the same figures:
 * aggregate them with max, not sum).
 */
@Injectable()
export class PushMetrics {
  readonly attempts: Counter<'result'>;
  readonly attemptDuration: Histogram;
  readonly deliveryLag: Histogram;

  constructor(metrics: MetricsService, subscriptions: SubscriptionsRepository) {
    const registers = [metrics.registry];
    this.attempts = new Counter({
      name: 'suki_push_attempts_total',
      help: 'Push delivery attempts by result',
      labelNames: ['result'] as const,
      registers,
    });
    this.attemptDuration = new Histogram({
      name: 'suki_push_attempt_duration_seconds',
      help: 'Push delivery attempts: from the request sent to the answer (or the failure)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
      registers,
    });
    this.deliveryLag = new Histogram({
      name: 'suki_push_delivery_lag_seconds',
      help: 'From an event occurring to its 2xx from a subscriber',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    });
    // Three gauges from one query per scrape: each gauge's collect awaits the same read.
    let read: { at: number; lags: Promise<SubscriptionLag[]> } | undefined;
    const lags = () => {
      if (!read || Date.now() - read.at > 1_000) read = { at: Date.now(), lags: subscriptions.lags().catch(() => []) };
      return read.lags;
    };
    const gauge = (name: string, help: string, label: 'subscription' | 'status', fill: (g: Gauge, all: SubscriptionLag[]) => void) => {
      const metric: Gauge = new Gauge({
        name,
        help,
        labelNames: [label],
        registers,
        collect: async () => {
          const all = await lags();
          metric.reset();
          fill(metric, all);
        },
      });
      return metric;
    };
    const active = (all: SubscriptionLag[]) => all.filter((lag) => lag.status === 'active');
    gauge(
      'suki_push_subscription_lag_seconds',
      'Age of the oldest event an active subscription has not yet settled (0 when caught up), by subscription',
      'subscription',
      (g, all) => active(all).forEach((lag) => g.set({ subscription: lag.id }, lag.lagSeconds)),
    );
    gauge(
      'suki_push_subscription_lag_events',
      'Events an active subscription has not yet settled (counted up to 100000), by subscription',
      'subscription',
      (g, all) => active(all).forEach((lag) => g.set({ subscription: lag.id }, lag.lagEvents)),
    );
    gauge('suki_push_subscriptions', 'Push subscriptions by status', 'status', (g, all) => {
      for (const status of ['active', 'paused', 'disabled']) g.set({ status }, all.filter((lag) => lag.status === status).length);
    });
  }
}
