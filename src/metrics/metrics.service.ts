import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ArtifactKind } from '../generated/prisma/enums';
import { BREAKER_STATE_VALUE, BreakerState } from '../retrieval/circuit-breaker';

/** What one attempt to fetch a linked resource from Suki came to. */
export type RetrievalAttemptOutcome = 'ready' | 'retry' | 'failed' | 'refused';

/** The retrieval backlog as the database sees it at scrape time. */
export interface PendingBacklog {
  pending: number;
  /** Seconds since the oldest pending artifact was requested; 0 when nothing is pending. */
  oldestAgeSeconds: number;
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

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** For the retrieval worker: one call per fetch attempt, whatever became of it. */
  countRetrievalAttempt(kind: ArtifactKind, outcome: RetrievalAttemptOutcome): void {
    this.retrievalAttempts.inc({ kind, outcome });
  }

  /** Undefined when the backlog could not be read: the gauges then say NaN rather than something stale. */
  setBacklog(backlog: PendingBacklog | undefined): void {
    this.artifactsPending.set(backlog?.pending ?? Number.NaN);
    this.oldestPendingAge.set(backlog?.oldestAgeSeconds ?? Number.NaN);
  }

  /** Failed artifacts by kind (every kind, 0 included); undefined when unreadable: no sample rather than a stale one. */
  setFailedArtifacts(counts: ReadonlyMap<ArtifactKind, number> | undefined): void {
    this.artifactsFailed.reset();
    if (!counts) return;
    for (const kind of Object.values(ArtifactKind)) this.artifactsFailed.set({ kind }, counts.get(kind) ?? 0);
  }

  setBreakerState(state: BreakerState): void {
    this.breakerState.set(BREAKER_STATE_VALUE[state]);
  }

  countBreakerOpen(): void {
    this.breakerOpened.inc();
  }

  countAuthFailure(): void {
    this.authFailures.inc();
  }
}
