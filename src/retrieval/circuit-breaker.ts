import { MAX_RETRY_AFTER_MS } from './backoff';

export type BreakerState = 'closed' | 'half_open' | 'open';

/** What one call to Suki said about Suki as a whole. */
export type CallVerdict =
  /** Suki answered: any success, and any permanent answer (a 404 is Suki up, saying no). */
  | 'answered'
  /** A network error, a timeout, a 5xx, a 429, a refused token: Suki may be down. */
  | 'transient';

export interface BreakerSettings {
  failureThreshold: number;
  probeBaseMs: number;
  probeMaxMs: number;
}

/**
 * Backs off Suki as a whole. Closed, the worker runs at full concurrency. After
 * `failureThreshold` transient failures in a row it opens: no call at all until the probe time,
 * then exactly one call (half-open). That probe's answer decides: Suki answered → closed, full
 * concurrency at once; another failure → open again, the wait doubled (capped at probeMaxMs,
 * so Suki's return is noticed within that; a longer Retry-After is honoured up to that cap).
 *
 * Why not cockatiel's breaker: it decides when a call is made, while our worker must decide
 * before it claims (a claim leases a row and counts an attempt), so that an open breaker leaves
 * the due artifacts untouched in the table instead of failing each of them in turn.
 *
 * Calls that were already under way when it opened still report; a success among them closes
 * it (Suki answered), their failures change nothing. Pure: time and randomness are injected.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private consecutiveFailures = 0;
  private failedProbes = 0;
  private probeAt = 0;

  constructor(
    private readonly settings: BreakerSettings,
    private readonly now: () => number,
    private readonly random: () => number = Math.random,
    private readonly onChange: (state: BreakerState) => void = () => undefined,
  ) {}

  get state(): BreakerState {
    return this.current;
  }

  /** How many calls may start now, when `limit` would be allowed with Suki well and `inFlight` run. */
  permits(limit: number, inFlight: number): number {
    if (this.current === 'closed') return Math.max(0, limit - inFlight);
    if (this.current === 'half_open') return 0;
    // One probe, and only once the calls begun before opening have told what they know.
    return inFlight === 0 && this.untilProbeMs() === 0 ? 1 : 0;
  }

  /** While open: how long until the probe may go. */
  untilProbeMs(): number {
    return this.current === 'open' ? Math.max(0, Math.ceil(this.probeAt - this.now())) : 0;
  }

  /** The worker started the one call an open breaker permits. */
  probeStarted(): void {
    if (this.current === 'open') this.moveTo('half_open');
  }

  /** The probe ended without a verdict (no call was made, or a shutdown cut it): probe again at once. */
  probeEnded(): void {
    if (this.current !== 'half_open') return;
    this.probeAt = this.now();
    this.moveTo('open');
  }

  record(verdict: CallVerdict, retryAfterMs?: number): void {
    if (verdict === 'answered') {
      this.consecutiveFailures = 0;
      this.failedProbes = 0;
      if (this.current !== 'closed') this.moveTo('closed');
      return;
    }
    if (this.current === 'half_open') return this.open(retryAfterMs);
    if (this.current === 'closed') {
      this.consecutiveFailures += 1;
      if (this.consecutiveFailures >= this.settings.failureThreshold) this.open(retryAfterMs);
    }
  }

  private open(retryAfterMs: number | undefined): void {
    const { probeBaseMs, probeMaxMs } = this.settings;
    const ceiling = Math.min(probeMaxMs, probeBaseMs * 2 ** Math.min(this.failedProbes, 30));
    this.failedProbes += 1;
    // Equal jitter: never sooner than half the wait (it is the only call), spread so that
    // replicas do not probe in step.
    const wait = ceiling / 2 + this.random() * (ceiling / 2);
    const asked = Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS, probeMaxMs);
    this.probeAt = this.now() + Math.max(wait, asked);
    this.moveTo('open');
  }

  private moveTo(state: BreakerState): void {
    if (state === this.current) return;
    this.current = state;
    this.onChange(state);
  }
}
