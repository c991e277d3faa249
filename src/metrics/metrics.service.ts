import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Every metric the service exports, on a registry of its own (one per application instance). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly notifications = new Counter({
    name: 'suki_notifications_total',
    help: 'Authentic notifications by vendor status and outcome',
    labelNames: ['vendor_status', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly signatureFailures = new Counter({
    name: 'suki_webhook_rejected_total',
    help: 'Notifications refused before reading their body, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly clockSkew = new Histogram({
    name: 'suki_generated_at_skew_seconds',
    help: 'Server time minus generated-at of authentic notifications (negative: from the future)',
    buckets: [-60, -10, -1, -0.1, 0, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
