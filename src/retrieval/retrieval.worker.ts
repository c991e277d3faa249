// Why the artifacts table is the job queue, and not graphile-worker: graphile-worker 0.17
// reclaims a job whose worker crashed only after 4 hours (its resetLockedAt / get_job use a
// job_expiry of '4 hours'), while our lease runs out in seconds; and the artifact row already
// is the unit of work, with its state visible to the query API, so intake writes one row per
// artifact in its own statement instead of a row plus a job that could drift apart.
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { describeError } from '../common/http-error';
import { INTAKE_IDLE_MS, monotonicNow, WorkSignal } from '../common/work-signal';
import { AppConfig } from '../config/app-config';
import { ARTIFACT_KINDS, ArtifactKind } from '../suki/artifact-kinds';
import { AdaptiveLimit } from './adaptive-limit';
import { RetrievalMetrics } from './retrieval.metrics';
import { RetrievalService } from './retrieval.service';
import { SukiBreaker } from './suki-breaker';
import { sukiGateOpen } from './suki-breaker.repository';
import { ClaimedArtifact, WorkQueue } from '../work-queue/work-queue';

const MAX_ERROR_PAUSE_MS = 10_000;
/** Claimed work kept ready to start, in multiples of the limit. */
export const READY_ROUNDS = 2;
/** While intake is busy, retrieval claims at most one artifact this often, so it still moves during a long burst. */
export const BUSY_TRICKLE_MS = 250;
/**
 * The share of the limit kept for status checks and missed-notification polls when they are
 * due: their own budget, so a burst of notes does not hold a session's outcome back, while they
 * never take more than that from the notes (they take any slot results leave, too).
 */
export const CHECK_SHARE = 0.25;

/** The claim's order of kinds, the note first (src/work-queue/work-queue.repository.ts). */
const PRIORITY = Object.fromEntries(ARTIFACT_KINDS.map((kind, rank) => [kind, rank])) as Record<ArtifactKind, number>;

/** A status check or a missed-notification poll: their own budget of the limit. */
function isCheck(job: Pick<ClaimedArtifact, 'kind'>): boolean {
  return job.kind === 'status';
}

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
  /** The attempts under way: a call to Suki, then storing its answer. */
  private readonly inFlight = new Set<Promise<void>>();
  /** Of those, the ones whose call to Suki is under way: what the limit bounds. */
  private calls = 0;
  /** Status checks claimed (started or ready): their budget's use. */
  private checks = 0;
  /** Claimed, not yet started: the next calls, the moment the limit lets them go. */
  private readonly ready: ClaimedArtifact[] = [];
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
    private readonly workQueue: WorkQueue,
    private readonly service: RetrievalService,
    private readonly config: AppConfig,
    private readonly workSignal: WorkSignal,
    private readonly breaker: SukiBreaker,
    private readonly limiter: AdaptiveLimit,
    metrics: RetrievalMetrics,
  ) {
    metrics.watch(
      () => this.limiter.limit,
      () => this.calls,
    );
  }

  onApplicationBootstrap(): void {
    if (!this.config.retrieval.enabled) return;
    this.running = true;
    this.unsubscribe = this.workSignal.subscribe(() => this.wake());
    // Another replica was told to slow down: Suki's capacity is shared, so this one slows too.
    this.breaker.onForeignPause(() =>
      this.limiter.onDrop({ startedAt: monotonicNow(), inFlight: this.calls, limited: false }, monotonicNow()),
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
      await Promise.allSettled(this.inFlight);
    }
    const released = await this.workQueue.release(this.interrupted, { started: true }).catch(() => 0);
    this.logger.log(`retrieval stopped; ${released} unfinished artifact(s) handed back`);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      await this.breaker.refreshIfOlderThan(this.config.retrieval.pollMs);
      // Work claimed for later must not wait out an outage under lease (others may take it then),
      // nor a pause ahead of what Suki refused meanwhile: handed back, it is claimed again in
      // the queue's order, where a refused note kept its place.
      if ((this.breaker.open || this.breaker.untilResumeMs() > 0) && this.ready.length > 0) await this.handBack();
      const capacity = this.capacity();
      // Calls under way and, while intake keeps up, claimed work ready to go the moment a call
      // ends (READY_ROUNDS times the limit, which may double in a round trip): a claim waits its
      // turn for a connection behind the answers being stored, and Suki would sit idle meanwhile.
      const want = (this.intakeFirst ? capacity : (1 + READY_ROUNDS) * capacity) - this.calls - this.ready.length;
      let claimedAll = false;
      if (want > 0 && this.breaker.untilResumeMs() === 0) {
        try {
          this.lastClaimAt = monotonicNow();
          if (this.breaker.open) await this.probe();
          else {
            const checks = Math.max(0, Math.min(want, this.checkBudget(capacity) - this.checks));
            const jobs = await this.workQueue.claim(want, checks, this.config.retrieval.leaseMs, sukiGateOpen(false));
            for (const job of jobs) this.queue(job);
            this.pump(capacity);
            claimedAll = jobs.length === want;
            // Fewer than asked for may be the cluster's gate: look at it now rather than at the next poll.
            if (jobs.length < want) await this.breaker.refreshIfOlderThan(50);
          }
          failures = 0;
        } catch (error) {
          failures += 1;
          if (failures === 1) this.logger.warn(`cannot claim artifacts: ${describeError(error)}; retrying`);
          await this.nap(Math.min(this.config.retrieval.pollMs * 2 ** failures, MAX_ERROR_PAUSE_MS));
          continue;
        }
      } else this.pump(capacity);
      // A full batch suggests more is due: claim again as soon as a slot frees up.
      if (!claimedAll || want <= 0) await this.nap(this.napMs(capacity));
    }
    await this.handBack();
  }

  /**
   * Claimed work waits here in the claim's priority order across claims too: a note claimed
   * now goes before the lower kinds of earlier sessions claimed a moment ago (a burst arrives
   * over a few hundred milliseconds, and a Retry-After pause holds everything claimed). It
   * never passes a check: checks keep their place, as their own budget promises.
   */
  private queue(job: ClaimedArtifact): void {
    if (isCheck(job)) this.checks += 1;
    let at = this.ready.length;
    if (!isCheck(job)) while (at > 0 && !isCheck(this.ready[at - 1]) && PRIORITY[this.ready[at - 1].kind] > PRIORITY[job.kind]) at -= 1;
    this.ready.splice(at, 0, job);
  }

  /** Starts claimed work while the limit allows and Suki is not paused. */
  private pump(capacity = this.capacity()): void {
    while (this.ready.length > 0 && this.calls < capacity && this.breaker.untilResumeMs() === 0 && !this.breaker.open) {
      this.lastClaimAt = Math.max(this.lastClaimAt, monotonicNow());
      this.start(this.ready.shift()!);
    }
  }

  /** Hands the claimed work not yet started back to the queue (an open breaker, a shutdown). */
  private async handBack(): Promise<void> {
    const jobs = this.ready.splice(0);
    this.checks -= jobs.filter(isCheck).length;
    if (jobs.length > 0) await this.workQueue.release(jobs, { started: false }).catch(() => 0);
  }

  /**
   * While the breaker is open, one call goes, the cluster's only one: whichever replica takes the
   * probe's lease first claims the highest-priority due work (a note, else a status check), and
   * only once its own calls begun before the breaker opened have told what they know.
   */
  private async probe(): Promise<void> {
    if (this.probing || this.calls > 0 || this.breaker.untilProbeMs() > 0) return;
    const token = await this.breaker.takeProbe();
    if (!token) return;
    const [job] = await this.workQueue.claim(1, 0, this.config.retrieval.leaseMs, sukiGateOpen(true));
    if (!job) return this.breaker.record(undefined, token);
    this.start(job, token);
  }

  /** Below four calls at once there is no share to give: checks take what results leave. */
  private checkBudget(capacity: number): number {
    return Math.floor(capacity * CHECK_SHARE);
  }

  private napMs(capacity: number): number {
    // Stepping aside: look again soon, as a burst's end frees the full limit (INTAKE_IDLE_MS).
    if (capacity === 0) return Math.min(this.untilNextTrickle() || BUSY_TRICKLE_MS, INTAKE_IDLE_MS);
    const { pollMs } = this.config.retrieval;
    if (this.breaker.untilResumeMs() > 0) return this.breaker.untilResumeMs();
    // While open, look again at least every poll: another replica's probe may close it.
    if (this.breaker.open) return Math.min(this.breaker.untilProbeMs() || pollMs, pollMs);
    return pollMs;
  }

  /**
   * While intake is busy or flooded (intakeFirst), retrieval all but stops: answering Suki comes first, the work
   * waiting here is durable, and every fetch costs the CPU and database time that intake
   * needs (a fetch for each of five artifacts per notification). It trickles on at no more
   * than one artifact per BUSY_TRICKLE_MS (none while that one is still being fetched), and is
   * back at full speed once intake keeps up.
   */
  private capacity(): number {
    if (!this.intakeFirst) return this.limiter.limit;
    return this.inFlight.size === 0 && this.untilNextTrickle() === 0 ? 1 : 0;
  }

  /** Commits queue up, or notifications keep pouring in (a flood, not a burst a clinician waits on). */
  private get intakeFirst(): boolean {
    return this.workSignal.intakeBusy || this.workSignal.intakeFlooded;
  }

  private untilNextTrickle(): number {
    return Math.max(0, Math.ceil(this.lastClaimAt + BUSY_TRICKLE_MS - monotonicNow()));
  }

  private start(job: ClaimedArtifact, probe?: string): void {
    const check = isCheck(job);
    const startedAt = monotonicNow();
    const callsAtStart = this.calls;
    let calling = true;
    // The slot is free once Suki answered: the next call need not wait for this answer to be stored.
    let callsAtEnd = 0;
    const callEnded = () => {
      if (!calling) return;
      calling = false;
      callsAtEnd = this.calls - 1;
      this.calls -= 1;
      this.pump();
      this.wake();
    };
    this.calls += 1;
    if (probe) this.probing = true;
    if (probe && check) this.checks += 1;
    const task: Promise<void> = this.service
      .process(job, this.shutdown.signal, probe, callEnded)
      .then((attempt) => {
        if (!attempt) return void this.interrupted.push(job);
        // The limit was in use if it was when the call started or while it lasted.
        const inFlight = Math.max(callsAtStart, callsAtEnd);
        const now = monotonicNow();
        if (attempt.signal === 'success')
          this.limiter.onSuccess({ startedAt, latencyMs: attempt.latencyMs, inFlight, group: job.kind }, now);
        // A probe's failure is the breaker's business: Suki is down, not short of room.
        else if ((attempt.signal === 'drop' && !probe) || attempt.signal === 'limited')
          this.limiter.onDrop({ startedAt, inFlight: callsAtStart, limited: attempt.signal === 'limited' }, now);
      })
      .catch((error: unknown) => this.logger.error(`artifact ${job.kind} encounter=${job.encounterId}: ${describeError(error)}`))
      .finally(() => {
        callEnded();
        if (probe) this.probing = false;
        if (check) this.checks -= 1;
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
