// Why the artifacts table is the job queue, and not graphile-worker: graphile-worker 0.17
// reclaims a job whose worker crashed only after 4 hours (its resetLockedAt / get_job use a
// job_expiry of '4 hours'), while our lease runs out in seconds; and the artifact row already
// is the unit of work, with its state visible to the query API, so intake writes one row per
// artifact in its own statement instead of a row plus a job that could drift apart.
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { describeError } from '../common/http-error';
import { monotonicNow, WorkSignal } from '../common/work-signal';
import { AppConfig } from '../config/app-config';
import { AdaptiveLimit } from './adaptive-limit';
import { ClaimedArtifact, isCheck, RetrievalRepository } from './retrieval.repository';
import { RetrievalMetrics } from './retrieval.metrics';
import { RetrievalService } from './retrieval.service';
import { SukiBreaker } from './suki-breaker';

const MAX_ERROR_PAUSE_MS = 10_000;
/** While intake is busy, retrieval claims at most one artifact this often, so it still moves during a long burst. */
export const BUSY_TRICKLE_MS = 250;
/**
 * The share of the limit kept for status checks and missed-notification polls when they are
 * due: their own budget, so a burst of notes does not hold a session's outcome back, while they
 * never take more than that from the notes (they take any slot results leave, too).
 */
export const CHECK_SHARE = 0.25;

/**
 * Claims due artifacts (polling, and at once when intake rings the WorkSignal) and fetches
 * them, never more at a time than the adaptive limit (adaptive-limit.ts) allows; the note
 * first (the claim's priority). Several replicas share the table safely: claims use SKIP
 * LOCKED and leases, and pass the cluster's breaker and pause (suki-breaker.ts). On shutdown it
 * stops claiming, lets in-flight fetches finish for a bounded time, and hands back the leases
 * of the rest so that another replica (or the next start) takes them at once.
 */
@Injectable()
export class RetrievalWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RetrievalWorker.name);
  private readonly inFlight = new Map<Promise<void>, { check: boolean }>();
  private checksInFlight = 0;
  private readonly interrupted: ClaimedArtifact[] = [];
  private readonly shutdown = new AbortController();
  private running = false;
  private loop?: Promise<void>;
  private unsubscribe?: () => void;
  private wakeRequested = false;
  private endNap?: () => void;
  private lastClaimAt = Number.NEGATIVE_INFINITY;
  private probing = false;

  constructor(
    private readonly repository: RetrievalRepository,
    private readonly service: RetrievalService,
    private readonly config: AppConfig,
    private readonly workSignal: WorkSignal,
    private readonly breaker: SukiBreaker,
    private readonly limiter: AdaptiveLimit,
    metrics: RetrievalMetrics,
  ) {
    metrics.watch(
      () => this.limiter.limit,
      () => this.inFlight.size,
    );
  }

  onApplicationBootstrap(): void {
    if (!this.config.retrieval.enabled) return;
    this.running = true;
    this.unsubscribe = this.workSignal.subscribe(() => this.wake());
    // Another replica was told to slow down: Suki's capacity is shared, so this one slows too.
    this.breaker.onForeignPause(() =>
      this.limiter.onDrop({ startedAt: monotonicNow(), inFlight: this.inFlight.size, limited: false }, monotonicNow()),
    );
    this.loop = this.run();
    this.logger.log(
      `retrieval started (concurrency adaptive from ${this.limiter.limit} up to ${this.config.suki.maxConcurrency}, lease ${this.config.retrieval.leaseMs} ms)`,
    );
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.loop) return;
    this.running = false;
    this.unsubscribe?.();
    this.wake();
    await this.loop;
    if (!(await this.drain(this.config.retrieval.shutdownGraceMs))) {
      this.shutdown.abort();
      await Promise.allSettled(this.inFlight.keys());
    }
    const released = await this.repository.release(this.interrupted).catch(() => 0);
    this.logger.log(`retrieval stopped; ${released} unfinished artifact(s) handed back`);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      await this.breaker.refreshIfOlderThan(this.config.retrieval.pollMs);
      const capacity = this.capacity();
      const free = capacity - this.inFlight.size;
      let claimedAll = false;
      if (free > 0 && this.breaker.untilResumeMs() === 0) {
        try {
          this.lastClaimAt = monotonicNow();
          if (this.breaker.open) await this.probe();
          else {
            const checks = Math.max(0, Math.min(free, this.checkBudget(capacity) - this.checksInFlight));
            const jobs = await this.repository.claim(free, checks, this.config.retrieval.leaseMs);
            for (const job of jobs) this.start(job);
            claimedAll = jobs.length === free;
            // Fewer than asked for may be the cluster's gate: look at it now rather than at the next poll.
            if (jobs.length < free) await this.breaker.refreshIfOlderThan(50);
          }
          failures = 0;
        } catch (error) {
          failures += 1;
          if (failures === 1) this.logger.warn(`cannot claim artifacts: ${describeError(error)}; retrying`);
          await this.nap(Math.min(this.config.retrieval.pollMs * 2 ** failures, MAX_ERROR_PAUSE_MS));
          continue;
        }
      }
      // A full batch suggests more is due: claim again as soon as a slot frees up.
      if (!claimedAll || this.inFlight.size >= capacity) await this.nap(this.napMs(capacity));
    }
  }

  /**
   * While the breaker is open, one call goes, the cluster's only one: whichever replica takes the
   * probe's lease first claims the highest-priority due work (a note, else a status check), and
   * only once its own calls begun before the breaker opened have told what they know.
   */
  private async probe(): Promise<void> {
    if (this.probing || this.inFlight.size > 0 || this.breaker.untilProbeMs() > 0) return;
    const token = await this.breaker.takeProbe();
    if (!token) return;
    const [job] = await this.repository.claim(1, 0, this.config.retrieval.leaseMs, true);
    if (!job) return this.breaker.record(undefined, token);
    this.start(job, token);
  }

  /** Below four calls at once there is no share to give: checks take what results leave. */
  private checkBudget(capacity: number): number {
    return Math.floor(capacity * CHECK_SHARE);
  }

  private napMs(capacity: number): number {
    if (capacity === 0) return this.untilNextTrickle() || BUSY_TRICKLE_MS;
    const { pollMs } = this.config.retrieval;
    if (this.breaker.untilResumeMs() > 0) return this.breaker.untilResumeMs();
    // While open, look again at least every poll: another replica's probe may close it.
    if (this.breaker.open) return Math.min(this.breaker.untilProbeMs() || pollMs, pollMs);
    return pollMs;
  }

  /**
   * While intake is busy, retrieval all but stops: answering Suki comes first, the work
   * waiting here is durable, and every fetch costs the CPU and database time that intake
   * needs (a fetch for each of five artifacts per notification). It trickles on at no more
   * than one artifact per BUSY_TRICKLE_MS (none while that one is still being fetched), and is
   * back at full speed once intake keeps up.
   */
  private capacity(): number {
    if (!this.workSignal.intakeBusy) return this.limiter.limit;
    return this.inFlight.size === 0 && this.untilNextTrickle() === 0 ? 1 : 0;
  }

  private untilNextTrickle(): number {
    return Math.max(0, Math.ceil(this.lastClaimAt + BUSY_TRICKLE_MS - monotonicNow()));
  }

  private start(job: ClaimedArtifact, probe?: string): void {
    const check = isCheck(job);
    const startedAt = monotonicNow();
    const inFlight = this.inFlight.size;
    if (probe) this.probing = true;
    if (check) this.checksInFlight += 1;
    const task: Promise<void> = this.service
      .process(job, this.shutdown.signal, probe)
      .then((attempt) => {
        if (!attempt) return void this.interrupted.push(job);
        // What the call says about Suki's capacity, unless the breaker is the one dealing with Suki.
        if (attempt.signal === 'success')
          this.limiter.onSuccess({ startedAt, latencyMs: attempt.latencyMs, inFlight, group: job.kind }, monotonicNow());
        else if ((attempt.signal === 'drop' && !probe) || attempt.signal === 'limited')
          this.limiter.onDrop({ startedAt, inFlight, limited: attempt.signal === 'limited' }, monotonicNow());
      })
      .catch((error: unknown) => this.logger.error(`artifact ${job.kind} encounter=${job.encounterId}: ${describeError(error)}`))
      .finally(() => {
        if (probe) this.probing = false;
        if (check) this.checksInFlight -= 1;
        this.inFlight.delete(task);
        this.wake();
      });
    this.inFlight.set(task, { check });
  }

  /** Waits up to `ms` for the in-flight fetches; true when they all finished. */
  private async drain(ms: number): Promise<boolean> {
    if (this.inFlight.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const finished = Promise.allSettled(this.inFlight.keys()).then(() => true);
    const result = await Promise.race([finished, expired]);
    clearTimeout(timer);
    return result;
  }

  /** Sleeps up to `ms`, or less when woken; a wake-up that came while awake is not lost. */
  private nap(ms: number): Promise<void> {
    if (this.wakeRequested || !this.running) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.endNap = undefined;
        this.wakeRequested = false;
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.endNap = end;
    });
  }

  private wake(): void {
    this.wakeRequested = true;
    this.endNap?.();
  }
}
