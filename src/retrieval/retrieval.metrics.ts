import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { ArtifactKind } from '../generated/prisma/enums';
import { MetricsService } from '../metrics/metrics.service';
import { KindDepth, QueueDepthRepository } from './queue-depth.repository';

/** How long a scrape's reading of the queue is reused by the other gauge of the same scrape. */
const QUEUE_READING_MS = 1_000;

/**
 * The retrieval's own metrics (time to note, adaptive concurrency, the queue by kind), on the
 * service's registry. The queue gauges are read from the database at scrape time; absent
 * (no sample) while it is unreachable.
 */
@Injectable()
export class RetrievalMetrics {
  private limit: () => number = () => 0;
  private inFlight: () => number = () => 0;
  private reading?: { at: number; depths: Promise<KindDepth[] | undefined> };

  readonly noteReady: Histogram<'kind'>;
  readonly throttled: Counter;

  constructor(metrics: MetricsService, queue: QueueDepthRepository) {
    const registers = [metrics.registry];
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    this.noteReady = new Histogram({
      name: 'suki_artifact_ready_seconds',
      help: "From the acknowledgement of the notification that queued an artifact to its result stored, by kind; kind=contents is the clinician's wait for the note",
      labelNames: ['kind'] as const,
      buckets: [0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300, 900, 3600],
      registers,
    });
    this.throttled = new Counter({
      name: 'suki_fetch_throttled_total',
      help: 'Calls Suki answered 429 (too many requests): the adaptive limit cuts, and a Retry-After pauses every replica',
      registers,
    });
    new Gauge({
      name: 'suki_fetch_concurrency_limit',
      help: 'Calls to Suki this process may have under way at once now (adaptive, 1 to SUKI_FETCH_MAX_CONCURRENCY)',
      registers,
      collect() {
        this.set(self.limit());
      },
    });
    new Gauge({
      name: 'suki_fetch_in_flight',
      help: 'Calls to Suki under way in this process',
      registers,
      collect() {
        this.set(self.inFlight());
      },
    });
    const read = () => {
      if (!self.reading || Date.now() - self.reading.at > QUEUE_READING_MS)
        self.reading = { at: Date.now(), depths: queue.byKind().catch(() => undefined) };
      return self.reading.depths;
    };
    const perKind = (gauge: Gauge<'kind'>, depths: KindDepth[] | undefined, value: (d?: KindDepth) => number) => {
      gauge.reset();
      if (!depths) return;
      for (const kind of Object.values(ArtifactKind)) gauge.set({ kind }, value(depths.find((d) => d.kind === kind)));
    };
    new Gauge({
      name: 'suki_retrieval_queue_depth',
      help: 'Pending artifacts by kind (missed-notification polls left out), read from the database at scrape time',
      labelNames: ['kind'] as const,
      registers,
      async collect() {
        perKind(this, await read(), (d) => d?.pending ?? 0);
      },
    });
    new Gauge({
      name: 'suki_retrieval_queue_oldest_seconds',
      help: 'Seconds since the oldest pending artifact of each kind was queued; 0 when none',
      labelNames: ['kind'] as const,
      registers,
      async collect() {
        perKind(this, await read(), (d) => d?.oldestSeconds ?? 0);
      },
    });
  }

  /** The worker reports its limit and calls under way through these, read at scrape time. */
  watch(limit: () => number, inFlight: () => number): void {
    this.limit = limit;
    this.inFlight = inFlight;
  }

  observeReady(kind: ArtifactKind, seconds: number): void {
    this.noteReady.observe({ kind }, seconds);
  }
}
