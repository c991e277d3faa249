import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { describeError } from '../common/http-error';
import { AppConfig } from '../config/app-config';
import { ArtifactKind, SessionStatus } from '../generated/prisma/enums';
import { MetricsService, RetrievalAttemptOutcome } from '../metrics/metrics.service';
import { mapSukiSessionStatus } from '../suki/status-mapping';
import { BackoffPolicy, nextRetry } from './backoff';
import { CallVerdict } from './circuit-breaker';
import { isTransientDatabaseError } from './transient-database-error';
import { RetrievalMetrics } from './retrieval.metrics';
import { SukiBreaker } from './suki-breaker';
import { documentedResults } from '../suki/documented-paths';
import { nextPoll, ReconcilePolicy } from './reconcile-schedule';
import { SukiClient } from './suki.client';
import { FetchOutcome } from './suki-response';
import { ClaimedArtifact, ResultRequest, WorkQueue } from '../work-queue/work-queue';

/** The longest pause of every call a Retry-After may ask for; an artifact's own retry honours longer ones. */
export const MAX_PAUSE_MS = 60_000;

/** What a finished attempt says about Suki's capacity, for the adaptive limit. */
export interface Attempt {
  /** success: answered; drop: 503, timeout, network error…; limited: 429; none: tells nothing (a 404, a refused token). */
  signal: 'success' | 'drop' | 'limited' | 'none';
  latencyMs: number;
}

/** What became of one attempt, for the log line. */
interface Recorded {
  /** `polling`: a missed-notification poll found the session still in progress (not a failure). */
  state: 'ready' | 'retry' | 'polling' | 'failed' | 'superseded';
  detail?: string;
}

/**
 * One attempt at one claimed artifact: fetch it, then record the result (ready, retry later,
 * or failed) under the claim. The status check additionally settles its session, and queues
 * its results when Suki says it completed.
 */
@Injectable()
export class RetrievalService {
  private readonly logger = new Logger('Retrieval');
  private readonly policy: BackoffPolicy;
  /** Missed-notification polls ride out a Suki outage for as long as they poll at all. */
  private readonly pollRetryPolicy: BackoffPolicy;
  private readonly reconcile: ReconcilePolicy;
  private readonly fetchLinks: readonly ArtifactKind[];

  constructor(
    private readonly client: SukiClient,
    private readonly queue: WorkQueue,
    private readonly metrics: MetricsService,
    private readonly clock: Clock,
    private readonly breaker: SukiBreaker,
    private readonly retrievalMetrics: RetrievalMetrics,
    config: AppConfig,
  ) {
    this.policy = {
      baseMs: config.retrieval.backoffBaseMs,
      maxMs: config.retrieval.backoffMaxMs,
      horizonMs: config.suki.retryHorizonMs,
      maxAttempts: config.suki.maxAttempts,
    };
    this.pollRetryPolicy = { ...this.policy, horizonMs: Math.max(this.policy.horizonMs, config.reconcile.horizonMs) };
    this.reconcile = {
      baseMs: config.reconcile.backoffBaseMs,
      maxMs: config.reconcile.backoffMaxMs,
      horizonMs: config.reconcile.horizonMs,
    };
    this.fetchLinks = config.suki.fetchLinks;
  }

  /**
   * Undefined when a shutdown interrupted the fetch: nothing was recorded, and the caller hands
   * the claim back rather than counting it as a failure. `probe` is the breaker's probe token
   * when this attempt is the cluster's probe; `callEnded` is told when Suki has answered.
   */
  async process(
    job: ClaimedArtifact,
    shutdown: AbortSignal,
    probe?: string,
    callEnded: () => void = () => undefined,
  ): Promise<Attempt | undefined> {
    if (!(await this.breaker.waitUntilResumed(shutdown))) {
      await this.breaker.record(undefined, probe);
      return undefined;
    }
    const started = this.clock.now();
    const outcome = await this.client.fetch(job.href, shutdown);
    const latencyMs = this.clock.now() - started;
    if (!outcome.ok && shutdown.aborted) {
      await this.breaker.record(undefined, probe);
      return undefined;
    }
    const retryAfterMs = !outcome.ok && outcome.retryable && !outcome.auth ? outcome.retryAfterMs : undefined;
    if (retryAfterMs) await this.breaker.pause(Math.min(retryAfterMs, MAX_PAUSE_MS));
    await this.breaker.record(verdictOf(outcome), probe, retryAfterMs);
    // Only now: the next call must see the breaker this answer may have opened, or the pause it asked for.
    callEnded();
    if (!outcome.ok && outcome.retryable && outcome.httpStatus === 429) this.retrievalMetrics.throttled.inc();
    if (!outcome.ok && outcome.retryable && outcome.auth) {
      // Not the note's fault and not Suki's: every artifact waits until an operator fixes it.
      this.metrics.countAuthFailure();
      this.logger.error(`Suki refuses our credentials (${outcome.reason}): check SUKI_API_TOKEN / SUKI_PARTNER_*; retrying`);
    }
    const recorded = await this.record(job, outcome);
    this.metrics.countRetrievalAttempt(job.kind, metricOutcome(outcome, recorded));
    const line =
      `artifact ${job.kind} session=${job.sessionId ?? '-'} encounter=${job.encounterId} attempt=${job.attempts} ` +
      `outcome=${recorded.state}${recorded.detail ? ` (${recorded.detail})` : ''} ms=${this.clock.now() - started}`;
    if (recorded.state === 'ready' || recorded.state === 'superseded' || recorded.state === 'polling') this.logger.log(line);
    else this.logger.warn(line);
    return { signal: signalOf(outcome), latencyMs };
  }

  private async record(job: ClaimedArtifact, outcome: FetchOutcome): Promise<Recorded> {
    try {
      return await this.write(job, outcome);
    } catch (error) {
      if (isTransientDatabaseError(error)) {
        // A statement or lock timeout, a lost connection, a deadlock: nothing was written, and it
        // would very likely be written next time. Retried like a transient Suki error; when even
        // that cannot be written, the lease runs out and another attempt follows.
        const reason = `the answer could not be stored (${describeError(error)})`;
        const decision = nextRetry(job.attempts, job.elapsedMs, this.policy, Math.random);
        const delayMs = decision.retry ? decision.delayMs : this.policy.baseMs;
        const written = await this.queue.retryLater(job, reason, delayMs).catch(() => false);
        return { state: 'retry', detail: written ? `${reason}; next in ${delayMs} ms` : `${reason}; the lease will expire` };
      }
      // A result the database refuses would fail the same way every time.
      const failed = await this.queue.fail(job, 'the answer could not be stored').catch(() => false);
      return { state: failed ? 'failed' : 'superseded', detail: 'the answer could not be stored' };
    }
  }

  private async write(job: ClaimedArtifact, outcome: FetchOutcome): Promise<Recorded> {
    const superseded: Recorded = { state: 'superseded', detail: 'requested again or taken over meanwhile' };
    if (outcome.ok && job.kind === 'status') return this.settle(job, outcome.data, superseded);
    if (outcome.ok) {
      const waited = await this.queue.complete(job, outcome.data);
      if (waited === undefined) return superseded;
      if (!job.reconcile) this.retrievalMetrics.observeReady(job.kind, waited);
      return { state: 'ready' };
    }
    if (outcome.retryable) {
      const policy = job.reconcile ? this.pollRetryPolicy : this.policy;
      const decision = nextRetry(job.attempts, job.elapsedMs, policy, Math.random, outcome.retryAfterMs);
      if (decision.retry) {
        // While the breaker or a pause holds Suki back, they space the calls (one probe at a time,
        // the note first; everything once the pause ends): the artifact waits for them in its
        // place in line, not for a backoff of its own that would outlast Suki's recovery and put
        // it behind later visits. Only a Retry-After longer than the pause is its own to honour.
        const asked = outcome.retryAfterMs ?? 0;
        const delayMs = !this.breaker.holdsBack ? decision.delayMs : asked > MAX_PAUSE_MS ? Math.min(decision.delayMs, asked) : 0;
        const written = await this.queue.retryLater(job, outcome.reason, delayMs);
        return written ? { state: 'retry', detail: `${outcome.reason}; next in ${delayMs} ms` } : superseded;
      }
      const reason = `${outcome.reason} (${decision.reason})`;
      if (!(await this.queue.fail(job, reason))) return superseded;
      if (job.reconcile) this.flagUnresolved(job, reason);
      return { state: 'failed', detail: reason };
    }
    return (await this.queue.fail(job, outcome.reason)) ? { state: 'failed', detail: outcome.reason } : superseded;
  }

  private async settle(job: ClaimedArtifact, data: unknown, superseded: Recorded): Promise<Recorded> {
    const vendorStatus = (data as { status?: unknown } | null)?.status;
    const status = mapSukiSessionStatus(vendorStatus);
    if (!status) {
      // Still in progress at Suki: a session with no outcome yet is polled again, within its bound.
      const waiting = await this.pollAgain(job, typeof vendorStatus === 'string' ? vendorStatus : 'unknown');
      if (waiting) return waiting;
    }
    const results = status === 'completed' && job.sessionId ? documentedResults(job.sessionId, job.encounterId, this.fetchLinks) : [];
    if (job.reconcile && status) return this.settleReconciled(job, data, status, results, superseded);
    const result = await this.queue.completeStatusCheck(job, data, status, results);
    if (!result.written) return superseded;
    const detail = !status
      ? 'session still in progress at Suki'
      : result.settled
        ? `session settled as ${status}${status === 'completed' ? `; ${result.requested} result(s) queued` : ''}`
        : 'session moved on meanwhile';
    return { state: 'ready', detail };
  }

  /**
   * For a session still without an outcome: the next poll, or past the horizon the flag (the
   * poll fails, counted and logged, so the session is never silently dropped). Undefined when the
   * session has an outcome after all (a timed-out session's check, or a notification that came
   * meanwhile): the answer is then recorded as a plain status check.
   */
  private async pollAgain(job: ClaimedArtifact, vendorStatus: string): Promise<Recorded | undefined> {
    const next = nextPoll(job.attempts, job.elapsedMs, this.reconcile, Math.random);
    if (!next.poll) {
      const reason = `${next.reason} (last said ${vendorStatus})`;
      if (!(await this.queue.failUnresolved(job, reason))) return undefined;
      this.flagUnresolved(job, reason);
      return { state: 'failed', detail: reason };
    }
    const reason = `session still ${vendorStatus} at Suki`;
    if (!(await this.queue.pollAgain(job, reason, next.delayMs))) return undefined;
    return { state: 'polling', detail: `${reason}; next poll in ${next.delayMs} ms` };
  }

  private async settleReconciled(
    job: ClaimedArtifact,
    data: unknown,
    status: SessionStatus,
    results: ResultRequest[],
    superseded: Recorded,
  ): Promise<Recorded> {
    const result = await this.queue.settlePoll(job, data, status, results);
    if (!result.written) return superseded;
    if (!result.settled) return { state: 'ready', detail: 'session settled meanwhile by its notification' };
    this.metrics.sessionsReconciled.inc({ status });
    this.logger.warn(
      `session=${job.sessionId ?? '-'} encounter=${job.encounterId} reconciled as ${status} without its notification` +
        (status === 'completed' ? `; ${result.requested} result(s) queued` : ''),
    );
    return { state: 'ready', detail: `session reconciled as ${status}` };
  }

  private flagUnresolved(job: ClaimedArtifact, reason: string): void {
    this.metrics.sessionsUnresolved.inc();
    this.logger.error(`session=${job.sessionId ?? '-'} encounter=${job.encounterId} unresolved: ${reason}; polling stopped`);
  }
}

/** What the call told about Suki as a whole; undefined when no call reached it (a refused href). */
function verdictOf(outcome: FetchOutcome): CallVerdict | undefined {
  if (outcome.ok) return 'answered';
  // Up, and asking us to slow down: the adaptive limit and the pause deal with it, not the breaker.
  if (outcome.retryable && outcome.httpStatus === 429) return 'answered';
  if (!outcome.retryable) return outcome.reason.startsWith('refused:') ? undefined : 'answered';
  return 'transient';
}

function signalOf(outcome: FetchOutcome): Attempt['signal'] {
  if (outcome.ok) return 'success';
  if (!outcome.retryable || outcome.auth) return 'none';
  return outcome.httpStatus === 429 ? 'limited' : 'drop';
}

function metricOutcome(outcome: FetchOutcome, recorded: Recorded): RetrievalAttemptOutcome {
  if (outcome.ok) return 'ready';
  if (!outcome.retryable && outcome.reason.startsWith('refused:')) return 'refused';
  return outcome.retryable && recorded.state !== 'failed' ? 'retry' : 'failed';
}
