import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { describeError } from '../common/http-error';
import { EventsRepository } from './events.repository';
import { FeedMetrics } from './feed.metrics';
import { FeedWakeups } from './feed-wakeups';

/** The first look again after a read found events waiting behind an open transaction. */
export const PROBE_BASE_MS = 200;
/** Looks again at most this far apart while the transaction stays open (the wait doubles up to it). */
export const PROBE_MAX_MS = 1_600;

interface Waiter {
  /** The xmin of the waiter's last read: nothing new is servable until the cluster's xmin passes it. */
  xmin: bigint;
  done: () => void;
}

/**
 * The long-polls that found committed events held back by an older open transaction (anywhere
 * on the cluster) wait here. Nothing becomes servable until the cluster's xmin moves past the
 * one each read saw, so instead of every waiter re-reading the feed, one shared probe reads the
 * xmin (one cheap statement for all of them) and wakes the waiters it has moved past. The probe
 * backs off from PROBE_BASE_MS to PROBE_MAX_MS while the xmin stays, and starts again from the
 * base at each commit that wrote events (a NOTIFY), since that is when it tends to move.
 */
@Injectable()
export class FeedFrontier implements OnModuleDestroy {
  private readonly logger = new Logger(FeedFrontier.name);
  private readonly waiters = new Set<Waiter>();
  private timer?: NodeJS.Timeout;
  private probing = false;
  private intervalMs = PROBE_BASE_MS;
  private lastProbeAt = 0;
  private lastXmin?: bigint;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly events: EventsRepository,
    private readonly wakeups: FeedWakeups,
    private readonly metrics: FeedMetrics,
  ) {
    this.unsubscribe = wakeups.onWake(() => {
      this.intervalMs = PROBE_BASE_MS;
      // Shutdown wakes everyone at once.
      if (this.wakeups.closed) this.release(() => true);
      else this.schedule();
    });
  }

  get waiting(): number {
    return this.waiters.size;
  }

  /** Resolves once the cluster's xmin is past `xmin`, or after `ms`, or when `signal` aborts or the process stops. */
  waitPast(xmin: bigint, ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted || this.wakeups.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = {
        xmin,
        done: () => {
          clearTimeout(deadline);
          signal?.removeEventListener('abort', waiter.done);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const deadline = setTimeout(waiter.done, ms);
      signal?.addEventListener('abort', waiter.done, { once: true });
      this.waiters.add(waiter);
      // The waiter's own read has just seen this xmin: the first look is due PROBE_BASE_MS on.
      if (!this.timer && !this.probing) this.schedule(PROBE_BASE_MS);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
    clearTimeout(this.timer);
    this.release(() => true);
  }

  /** The next probe: intervalMs after the last one (at once if that is past), and at least `delayMs` from now. */
  private schedule(delayMs = 0): void {
    if (this.waiters.size === 0 || this.probing) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.probe(), Math.max(delayMs, this.lastProbeAt + this.intervalMs - Date.now()));
    this.timer.unref();
  }

  private async probe(): Promise<void> {
    this.timer = undefined;
    // Every waiter ended (deadline, client gone) since this probe was scheduled.
    if (this.waiters.size === 0) return;
    this.probing = true;
    this.lastProbeAt = Date.now();
    try {
      this.metrics.frontierProbes.inc();
      const xmin = await this.events.xmin();
      const moved = this.lastXmin === undefined || xmin !== this.lastXmin;
      this.lastXmin = xmin;
      this.intervalMs = moved ? PROBE_BASE_MS : Math.min(PROBE_MAX_MS, this.intervalMs * 2);
      this.release((waiter) => xmin > waiter.xmin);
    } catch (error) {
      // The database is away: the waiters' own deadlines end them; probing backs off meanwhile.
      this.intervalMs = Math.min(PROBE_MAX_MS, this.intervalMs * 2);
      this.logger.debug(`feed frontier probe failed (${describeError(error)})`);
    } finally {
      this.probing = false;
      this.schedule();
    }
  }

  private release(passed: (waiter: Waiter) => boolean): void {
    for (const waiter of [...this.waiters]) if (passed(waiter)) waiter.done();
  }
}
