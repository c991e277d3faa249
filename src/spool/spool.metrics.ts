import { Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';

/** What the spool reports beyond its depth (which MetricsService.watchSpool reads). */
export interface SpoolHealth {
  quarantined: number;
  writable: boolean;
}

/** The spool's own gauges, read at scrape time. */
export function registerSpoolMetrics(metrics: MetricsService, read: () => SpoolHealth): void {
  new Gauge({
    name: 'suki_spool_quarantined',
    help: 'Spooled notifications the database refused again and again, set aside (kept on disk) until an operator retries them',
    registers: [metrics.registry],
    collect() {
      this.set(read().quarantined);
    },
  });
  new Gauge({
    name: 'suki_spool_writable',
    help: "1 when the spool's last write succeeded, 0 while writes fail (a full or failing disk): intake then answers 503 when it needs the spool",
    registers: [metrics.registry],
    collect() {
      this.set(read().writable ? 1 : 0);
    },
  });
}
