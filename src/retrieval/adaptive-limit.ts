/**
 * How many calls to Suki this process makes at once: a limit that follows what Suki can take,
 * after the loss-based AIMD of Netflix's concurrency-limits (AIMDLimit) and TCP's congestion
 * control, with the latency gradient of its Gradient2Limit as a second signal.
 *
 * - Slow start: until Suki first pushes back, each success that found the limit in use adds a
 *   call (×2 per round trip, as TCP), so a burst reaches full speed in a few round trips.
 * - Additive increase: then one call per round trip (1/limit per success), and only one per
 *   eight round trips just below the level where Suki last pushed back, so that probing for
 *   more room costs a 429 (and the pause its Retry-After asks for) rarely, not every round trip.
 * - Multiplicative decrease: a 429, 503, timeout or network error, or a latency that rises to
 *   `latencyTolerance` times its usual level, cuts the limit by `backoffRatio`, once per round
 *   trip: a call begun before the last cut reports on the old limit and cuts no further. A 429
 *   says more: Suki refused a call made while `inFlight` others of ours were under way, so the
 *   limit drops to that count at most (for every such call, in the same round trip too), and
 *   the level where Suki pushed back is one above it.
 *
 * Between `min` and `max`, always. Pure: time comes in with each sample.
 */
export interface AdaptiveLimitSettings {
  min: number;
  max: number;
  initial: number;
  /** The multiplicative cut, as the share kept (Netflix's default, 0.9). */
  backoffRatio: number;
  /** A short-term latency this many times the long-term one of its kind is congestion. */
  latencyTolerance: number;
}

export const DEFAULT_LIMIT_SETTINGS: Omit<AdaptiveLimitSettings, 'max' | 'initial'> = {
  min: 1,
  backoffRatio: 0.9,
  latencyTolerance: 2,
};

/** One answered call. `group` separates latencies that differ by nature (the artifact kind). */
export interface SuccessSample {
  startedAt: number;
  latencyMs: number;
  /** Our other calls under way when this one started. */
  inFlight: number;
  group: string;
}

export interface DropSample {
  startedAt: number;
  inFlight: number;
  /** Suki answered 429: it refused this call because of the ones under way. */
  limited: boolean;
}

/** Slower growth within this distance below the level where Suki last pushed back. */
const NEAR_CEILING = 1;
const NEAR_CEILING_SLOWDOWN = 8;
/** Samples of a kind before its latency is judged; and the weights of the two averages. */
const LATENCY_WARMUP = 20;
const LONG_WEIGHT = 0.02;
const SHORT_WEIGHT = 0.2;

export class AdaptiveLimit {
  private value: number;
  private slowStart = true;
  private lastCutAt = Number.NEGATIVE_INFINITY;
  /** The limit at which Suki last pushed back; forgotten once the limit grows well past it. */
  private ceiling?: number;
  private readonly latencies = new Map<string, { long: number; samples: number }>();
  private shortRatio = 1;

  constructor(private readonly settings: AdaptiveLimitSettings) {
    this.value = this.clamp(settings.initial);
  }

  /** Calls that may be under way at once now. */
  get limit(): number {
    return Math.floor(this.value);
  }

  /** A successful answer (or any answer that says Suki is well: a 404 too). */
  onSuccess(sample: SuccessSample, now: number): void {
    if (this.latencyRising(sample)) return this.cut(sample.startedAt, now, undefined);
    // Growth only when the limit was what held the calls back, as in Netflix's AIMDLimit.
    if (sample.inFlight + 1 < this.value / 2) return;
    if (this.slowStart) this.value += 1;
    else if (this.ceiling !== undefined && this.value + NEAR_CEILING >= this.ceiling)
      this.value += 1 / (NEAR_CEILING_SLOWDOWN * this.value);
    else this.value += 1 / this.value;
    if (this.ceiling !== undefined && this.value > this.ceiling + NEAR_CEILING) this.ceiling = undefined;
    this.value = this.clamp(this.value);
  }

  /** Suki pushed back (429, 503, timeout, network error), or another replica was told to pause. */
  onDrop(sample: DropSample, now: number): void {
    this.cut(sample.startedAt, now, sample.limited ? sample.inFlight : undefined);
  }

  private cut(startedAt: number, now: number, refusedAt: number | undefined): void {
    this.slowStart = false;
    if (startedAt < this.lastCutAt) {
      // Same congestion as the last cut: only what a 429 tells refines it.
      if (refusedAt !== undefined) {
        this.value = this.clamp(Math.min(this.value, refusedAt));
        this.ceiling = Math.min(this.ceiling ?? Infinity, refusedAt + 1);
      }
      return;
    }
    this.ceiling = refusedAt === undefined ? this.value : Math.min(this.value, refusedAt + 1);
    let next = this.value * this.settings.backoffRatio;
    if (refusedAt !== undefined) next = Math.min(next, refusedAt);
    this.value = this.clamp(next);
    this.lastCutAt = now;
    this.shortRatio = 1;
  }

  /**
   * Whether the recent latency, relative to each kind's long-term average, has risen past the
   * tolerance: a short moving average of latency / usual latency, so that a burst of slow kinds
   * (transcripts after notes) does not read as Suki slowing down.
   */
  private latencyRising(sample: SuccessSample): boolean {
    const seen = this.latencies.get(sample.group);
    if (!seen) {
      this.latencies.set(sample.group, { long: sample.latencyMs, samples: 1 });
      return false;
    }
    const ratio = sample.latencyMs / Math.max(seen.long, 1);
    seen.long += (sample.latencyMs - seen.long) * LONG_WEIGHT;
    seen.samples += 1;
    if (seen.samples < LATENCY_WARMUP) return false;
    this.shortRatio += (ratio - this.shortRatio) * SHORT_WEIGHT;
    return this.shortRatio > this.settings.latencyTolerance;
  }

  private clamp(value: number): number {
    return Math.min(this.settings.max, Math.max(this.settings.min, value));
  }
}
