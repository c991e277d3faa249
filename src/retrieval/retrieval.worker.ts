// Why the artifacts table is the job queue, and not graphile-worker: graphile-worker 0.17
// reclaims a job whose worker crashed only after 4 hours (its resetLockedAt / get_job use a
// job_expiry of '4 hours'), while our lease runs out in seconds; and the artifact row already
// is the unit of work, with its state visible to the query API, so intake writes one row per
// artifact in its own statement instead of a row plus a job that could drift apart.
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { describeError } from '../common/http-error';
import { monotonicNow, WorkSignal } from '../common/work-signal';
import { AppConfig } from '../config/app-config';
import { CircuitBreaker } from './circuit-breaker';
import { ClaimedArtifact, RetrievalRepository } from './retrieval.repository';
import { RetrievalService } from './retrieval.service';

const MAX_ERROR_PAUSE_MS = 10_000;
/** While intake is busy, retrieval claims at most one artifact this often, so it still moves during a long burst. */
export const BUSY_TRICKLE_MS = 250;

/**
 * Claims due artifacts (polling, and at once when intake rings the WorkSignal) and fetches
 * them, never more at a time than the Suki concurrency limit. Several replicas share the
 * table safely: claims use SKIP LOCKED and leases. On shutdown it stops claiming, lets
 * in-flight fetches finish for a bounded time, and hands back the leases of the rest so that
 * another replica (or the next start) takes them at once.
 */
@Injectable()
export class RetrievalWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RetrievalWorker.name);
  private readonly inFlight = new Set<Promise<void>>();
  private readonly interrupted: ClaimedArtifact[] = [];
  private readonly shutdown = new AbortController();
  private running = false;
  private loop?: Promise<void>;
  private unsubscribe?: () => void;
  private wakeRequested = false;
  private endNap?: () => void;
  private lastClaimAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly repository: RetrievalRepository,
    private readonly service: RetrievalService,
    private readonly config: AppConfig,
    private readonly workSignal: WorkSignal,
    private readonly breaker: CircuitBreaker,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.retrieval.enabled) return;
    this.running = true;
    this.unsubscribe = this.workSignal.subscribe(() => this.wake());
    this.loop = this.run();
    this.logger.log(`retrieval started (concurrency ${this.config.suki.maxConcurrency}, lease ${this.config.retrieval.leaseMs} ms)`);
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.loop) return;
    this.running = false;
    this.unsubscribe?.();
    this.wake();
    await this.loop;
    if (!(await this.drain(this.config.retrieval.shutdownGraceMs))) {
      this.shutdown.abort();
      await Promise.allSettled(this.inFlight);
    }
    const released = await this.repository.release(this.interrupted).catch(() => 0);
    this.logger.log(`retrieval stopped; ${released} unfinished artifact(s) handed back`);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      const capacity = this.capacity();
      // While Suki fails broadly the breaker lets nothing out, then one probe at a time.
      const free = Math.min(capacity - this.inFlight.size, this.breaker.permits(capacity, this.inFlight.size));
      let claimedAll = false;
      if (free > 0) {
        try {
          this.lastClaimAt = monotonicNow();
          const probing = this.breaker.state === 'open';
          const jobs = await this.repository.claim(free, this.config.retrieval.leaseMs);
          for (const job of jobs) this.start(job, probing);
          claimedAll = jobs.length === free;
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

  private napMs(capacity: number): number {
    if (capacity === 0) return this.untilNextTrickle() || BUSY_TRICKLE_MS;
    if (this.breaker.state === 'open') return this.breaker.untilProbeMs() || this.config.retrieval.pollMs;
    return this.config.retrieval.pollMs;
  }

  /**
   * While intake is busy, retrieval all but stops: answering Suki comes first, the work
   * waiting here is durable, and every fetch costs the CPU and database time that intake
   * needs (a fetch for each of five artifacts per notification). It trickles on at no more
   * than one artifact per BUSY_TRICKLE_MS (none while that one is still being fetched), and is
   * back at full speed once intake keeps up.
   */
  private capacity(): number {
    if (!this.workSignal.intakeBusy) return this.config.suki.maxConcurrency;
    return this.inFlight.size === 0 && this.untilNextTrickle() === 0 ? 1 : 0;
  }

  private untilNextTrickle(): number {
    return Math.max(0, Math.ceil(this.lastClaimAt + BUSY_TRICKLE_MS - monotonicNow()));
  }

  private start(job: ClaimedArtifact, probe: boolean): void {
    if (probe) this.breaker.probeStarted();
    const task: Promise<void> = this.service
      .process(job, this.shutdown.signal)
      .then((finished) => {
        if (!finished) this.interrupted.push(job);
      })
      .catch((error: unknown) => this.logger.error(`artifact ${job.kind} encounter=${job.encounterId}: ${describeError(error)}`))
      .finally(() => {
        // A probe that came to no verdict (no call made, a shutdown) must not hold the breaker half-open.
        if (probe) this.breaker.probeEnded();
        this.inFlight.delete(task);
        this.wake();
      });
    this.inFlight.add(task);
  }

  /** Waits up to `ms` for the in-flight fetches; true when they all finished. */
  private async drain(ms: number): Promise<boolean> {
    if (this.inFlight.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const finished = Promise.allSettled(this.inFlight).then(() => true);
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
