import { Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError } from '../common/http-error';
import { monotonicNow } from '../common/work-signal';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { BreakerState, CallVerdict } from './circuit-breaker';
import { BreakerRow, SukiBreakerRepository } from './suki-breaker.repository';

/** This process's view of the cluster's breaker, on the monotonic clock. */
interface View {
  open: boolean;
  probing: boolean;
  probeAt: number;
  pausedUntil: number;
  readAt: number;
}

/**
 * One circuit breaker for Suki across every replica, its state in PostgreSQL (suki_breaker).
 * Each process counts its own transient failures in a row; at SUKI_BREAKER_FAILURES it opens the
 * cluster's breaker. While open, no replica claims work (the claim itself checks), and one
 * probe at a time goes, whichever replica takes its lease first; it claims the highest-priority
 * work (a note). Suki answering, the probe or any call under way, closes it for all: they claim
 * at full speed at their next claim. A failed probe doubles the wait, up to
 * SUKI_BREAKER_PROBE_MAX_MS, so Suki's return is noticed within that.
 *
 * A Retry-After from Suki pauses every replica's calls for that long, the same way.
 *
 * The worker reads this view to decide and to sleep; the database decides (claims pass its gate).
 * A database error here is logged and ignored: claims fail too while it lasts.
 */
@Injectable()
export class SukiBreaker {
  private readonly logger = new Logger('SukiBreaker');
  private consecutiveFailures = 0;
  private view: View = { open: false, probing: false, probeAt: 0, pausedUntil: 0, readAt: Number.NEGATIVE_INFINITY };
  private pausedByUs = 0;
  private readonly pauseListeners = new Set<() => void>();

  constructor(
    private readonly repository: SukiBreakerRepository,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    metrics.setBreakerState('closed');
  }

  get open(): boolean {
    return this.view.open;
  }

  /** Suki is being left alone (breaker open, or a pause): a failed artifact need not back off on its own. */
  get holdsBack(): boolean {
    return this.view.open || this.untilResumeMs() > 0;
  }

  untilProbeMs(): number {
    return this.view.open ? Math.max(0, Math.ceil(this.view.probeAt - monotonicNow())) : 0;
  }

  untilResumeMs(): number {
    return Math.max(0, Math.ceil(this.view.pausedUntil - monotonicNow()));
  }

  /** Called when another replica's Retry-After pause is first seen: Suki pushed back on the cluster. */
  onForeignPause(listener: () => void): void {
    this.pauseListeners.add(listener);
  }

  async refreshIfOlderThan(maxAgeMs: number): Promise<void> {
    if (monotonicNow() - this.view.readAt >= maxAgeMs) await this.refresh();
  }

  async refresh(): Promise<void> {
    const row = await this.safely('read', () => this.repository.read());
    if (row) this.apply(row);
  }

  /** The cluster's one probe, when it is due and free: its lease token. */
  async takeProbe(): Promise<string | undefined> {
    const token = await this.safely('take the probe', () => this.repository.takeProbe(this.config.retrieval.leaseMs));
    if (token) this.show({ ...this.view, probing: true });
    return token;
  }

  /** What a call said about Suki; `probe` is the token when it was the probe. */
  async record(verdict: CallVerdict | undefined, probe: string | undefined, retryAfterMs?: number): Promise<void> {
    const { breaker } = this.config.retrieval;
    if (verdict === 'answered') {
      this.consecutiveFailures = 0;
      if (!this.view.open && !probe) return;
      const openMs = await this.safely('close', () => this.repository.close());
      if (openMs !== undefined)
        this.logger.warn(`Suki answers again after ${Math.round(openMs / 1000)} s: back to full speed on every replica`);
      return this.show({ ...this.view, open: false, probing: false });
    }
    if (verdict === undefined) {
      if (probe) await this.safely('release the probe', () => this.repository.releaseProbe(probe));
      return this.refresh();
    }
    this.consecutiveFailures += 1;
    if (probe) {
      await this.safely('record the probe', () => this.repository.probeFailed(probe, breaker, retryAfterMs));
      return this.refresh();
    }
    if (this.view.open || this.consecutiveFailures < breaker.failureThreshold) return;
    if (await this.safely('open', () => this.repository.open(breaker, retryAfterMs))) {
      this.metrics.countBreakerOpen();
      this.logger.warn(`Suki is failing broadly: every replica backs off, one probe at a time`);
    }
    await this.refresh();
  }

  /**
   * Suki asked for a pause (Retry-After): every replica's calls wait that long. This process
   * waits at once, then as long as the cluster's pause turned out to last: ending it early, it
   * would claim into the database's gate and find nothing until its next poll.
   */
  async pause(ms: number): Promise<void> {
    this.extendPause(monotonicNow() + ms);
    const lasts = await this.safely('pause', () => this.repository.pause(ms));
    if (lasts !== undefined) this.extendPause(monotonicNow() + lasts);
  }

  private extendPause(until: number): void {
    this.pausedByUs = Math.max(this.pausedByUs, until);
    this.view = { ...this.view, pausedUntil: Math.max(this.view.pausedUntil, until) };
  }

  /** Waits out a pause this process knows of (a call claimed before it began); false if `signal` ended it. */
  async waitUntilResumed(signal?: AbortSignal): Promise<boolean> {
    for (let wait = this.untilResumeMs(); wait > 0; wait = this.untilResumeMs()) {
      try {
        await sleep(wait, undefined, { signal });
      } catch {
        return false;
      }
    }
    return true;
  }

  private apply(row: BreakerRow): void {
    const now = monotonicNow();
    const pausedUntil = now + row.pausedMs;
    // A pause that is not ours, newly seen: another replica was told to back off.
    if (row.pausedMs > 0 && pausedUntil > this.view.pausedUntil + 50 && pausedUntil > this.pausedByUs + 50)
      for (const listener of this.pauseListeners) listener();
    if (this.view.open && !row.open) this.logger.log('breaker closed by another replica: back to full speed');
    this.show({ open: row.open, probing: row.probing, probeAt: now + row.probeInMs, pausedUntil, readAt: now });
  }

  private show(view: View): void {
    this.view = view;
    const state: BreakerState = !view.open ? 'closed' : view.probing ? 'half_open' : 'open';
    this.metrics.setBreakerState(state);
  }

  private async safely<T>(what: string, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      this.logger.warn(`cannot ${what} the breaker: ${describeError(error)}`);
      return undefined;
    }
  }
}
