import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ArtifactKind } from '../generated/prisma/enums';

/**
 * The `suki_breaker_state` gauge's value of each state of the retrieval worker's breaker. Spelt
 * out here, by the gauge it encodes, so that metrics/ depends on no feature; the compiler still
 * refuses a breaker state this map does not name where retrieval reports one.
 */
const BREAKER_STATE_VALUE = { closed: 0, half_open: 1, open: 2 } as const;
export type BreakerGaugeState = keyof typeof BREAKER_STATE_VALUE;

/** What one attempt to fetch a linked resource from Suki came to. */
export type RetrievalAttemptOutcome = 'ready' | 'retry' | 'failed' | 'refused';

/** The retrieval backlog as the database sees it at scrape time. */
export interface PendingBacklog {
  pending: number;
  /** Seconds since the oldest pending artifact was requested; 0 when nothing is pending. */
  oldestAgeSeconds: number;
}

const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** How much waits in the local spool (src/spool). */
export interface SpoolDepth {
  records: number;
  bytes: number;
  oldestReceivedAtMs?: number;
}

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

  readonly knownSessionsLeftOut = new Counter({
    name: 'suki_known_sessions_left_out_total',
    help: "Entries of notifications' sessions arrays beyond SUKI_WEBHOOK_MAX_KNOWN_SESSIONS, not made known (kept in the raw body)",
    registers: [this.registry],
  });

  readonly unstoredFields = new Counter({
    name: 'suki_notification_fields_unstored_total',
    help: 'Derived fields of authentic notifications that could not be stored as sent (kept in the raw body), by field',
    labelNames: ['field'] as const,
    registers: [this.registry],
  });

  readonly clockSkew = new Histogram({
    name: 'suki_generated_at_skew_seconds',
    help: 'Server time minus generated-at of authentic notifications (negative: from the future)',
    buckets: [-60, -10, -1, -0.1, 0, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  readonly requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency, from the first byte read to the last byte written, by route pattern',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly retrievalAttempts = new Counter({
    name: 'suki_retrieval_attempts_total',
    help: 'Attempts to fetch a linked resource from Suki, by artifact kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });

  // Missed-notification recovery (src/retrieval/reconcile-schedule.ts). A rising rate of either
  // says Suki's push, or our endpoint, is failing: every such session lacked its notification.
  readonly sessionsReconciled = new Counter({
    name: 'suki_sessions_reconciled_total',
    help: 'Sessions settled by polling Suki because their notification never arrived, by settled status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly sessionsUnresolved = new Counter({
    name: 'suki_sessions_unresolved_total',
    help: 'Sessions whose outcome Suki still did not report at RECONCILE_HORIZON_MS; polling them stopped',
    registers: [this.registry],
  });

  readonly artifactsPending = new Gauge({
    name: 'suki_artifacts_pending',
    help: 'Artifacts waiting to be fetched (read from the database at scrape time)',
    registers: [this.registry],
  });

  readonly oldestPendingAge = new Gauge({
    name: 'suki_artifact_oldest_pending_age_seconds',
    help: 'Age of the oldest pending artifact since its notification was generated; the signal to page on',
    registers: [this.registry],
  });

  readonly artifactsFailed = new Gauge({
    name: 'suki_artifacts_failed',
    help: 'Failed artifacts (dead letters) by kind, read from the database at scrape time; absent while it is unreachable',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly breakerState = new Gauge({
    name: 'suki_breaker_state',
    help: 'Backing off Suki as a whole: 0 closed (full concurrency), 1 half-open (one probe out), 2 open (waiting to probe)',
    registers: [this.registry],
  });

  readonly breakerOpened = new Counter({
    name: 'suki_breaker_opened_total',
    help: 'Times the breaker opened: after a run of transient failures, or a failed probe',
    registers: [this.registry],
  });

  readonly authFailures = new Counter({
    name: 'suki_auth_failures_total',
    help: 'Attempts without usable credentials (no token, login failed, or token refused after a refresh): a configuration problem',
    registers: [this.registry],
  });

  readonly purgedRecords = new Counter({
    name: 'suki_purged_records_total',
    help: 'Records whose note content or raw body RETENTION_DAYS purged, by table',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });

  readonly spoolWritten = new Counter({
    name: 'suki_spool_written_total',
    help: 'Notifications written to the local spool because the database could not commit them in time',
    registers: [this.registry],
  });

  readonly spoolRefused = new Counter({
    name: 'suki_spool_refused_total',
    help: 'Notifications the spool could not take either (answered 503), by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly spoolDrained = new Counter({
    name: 'suki_spool_drained_total',
    help: 'Spooled notifications committed to the database by the drainer, by outcome; its rate is the drain rate',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private spoolDepth?: () => SpoolDepth;

  readonly spoolRecords = this.spoolGauge('suki_spool_records', 'Notifications waiting in the local spool', (d) => d.records);

  readonly spoolBytes = this.spoolGauge('suki_spool_bytes', 'Bytes of notifications waiting in the local spool', (d) => d.bytes);

  readonly spoolOldestAge = this.spoolGauge(
    'suki_spool_oldest_age_seconds',
    'Seconds since the oldest spooled notification was received; 0 when the spool is empty. The signal to page on',
    (d) => (d.oldestReceivedAtMs === undefined ? 0 : Math.max(0, (Date.now() - d.oldestReceivedAtMs) / 1000)),
  );

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // prom-client exports these totals as gauges with a `_total` suffix, which Prometheus
    // reserves for counters (promtool rejects them). Each is the sum of the gauge of the same
    // name without `_total`, labelled by type, which stays.
    for (const name of MISNAMED_DEFAULT_GAUGES) this.registry.removeSingleMetric(name);
    // Both series from the start, so a rate() over them is defined before the first purge.
    for (const table of ['artifacts', 'deliveries']) this.purgedRecords.inc({ table }, 0);
    this.sessionsUnresolved.inc(0);
  }

  /** For the retrieval worker: one call per fetch attempt, whatever became of it. */
  countRetrievalAttempt(kind: ArtifactKind, outcome: RetrievalAttemptOutcome): void {
    this.retrievalAttempts.inc({ kind, outcome });
  }

  /** The spool reports its depth through this, read at scrape time. */
  watchSpool(depth: () => SpoolDepth): void {
    this.spoolDepth = depth;
  }

  private spoolGauge(name: string, help: string, read: (depth: SpoolDepth) => number): Gauge {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const metrics = this;
    return new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        const depth = metrics.spoolDepth?.();
        this.set(depth ? read(depth) : 0);
      },
    });
  }

  /**
   * Undefined when the backlog could not be read: the gauges then have no sample at all (absent
   * rather than stale, and not NaN, which prom-client prints as `Nan`, invalid exposition text).
   */
  setBacklog(backlog: PendingBacklog | undefined): void {
    if (backlog === undefined) {
      this.artifactsPending.remove({});
      this.oldestPendingAge.remove({});
      return;
    }
    this.artifactsPending.set(backlog.pending);
    this.oldestPendingAge.set(backlog.oldestAgeSeconds);
  }

  /** Failed artifacts by kind (every kind, 0 included); undefined when unreadable: no sample rather than a stale one. */
  setFailedArtifacts(counts: ReadonlyMap<ArtifactKind, number> | undefined): void {
    this.artifactsFailed.reset();
    if (!counts) return;
    for (const kind of Object.values(ArtifactKind)) this.artifactsFailed.set({ kind }, counts.get(kind) ?? 0);
  }

  setBreakerState(state: BreakerGaugeState): void {
    this.breakerState.set(BREAKER_STATE_VALUE[state]);
  }

  countBreakerOpen(): void {
    this.breakerOpened.inc();
  }

  countAuthFailure(): void {
    this.authFailures.inc();
  }
}
