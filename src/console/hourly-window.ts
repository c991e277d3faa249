/**
 * How much a monotonically growing total grew over the last window (an hour), from samples taken
 * now and then. Prometheus counters only ever grow; the overview wants "in the last hour", which
 * is the total now minus the total at the oldest sample still inside the window. Until the
 * process has run a whole window, that is since the first sample, and `coversMs` says so.
 */
export class WindowedTotal {
  private readonly samples: Array<{ atMs: number; total: number }> = [];

  constructor(private readonly windowMs: number) {}

  record(atMs: number, total: number): void {
    this.samples.push({ atMs, total });
    // Keep one sample at or before the window's start, so the delta spans the whole window.
    while (this.samples.length > 1 && this.samples[1].atMs <= atMs - this.windowMs) this.samples.shift();
  }

  /** Growth over the window ending at the latest sample, and how long a span that is. */
  delta(): { value: number; coversMs: number } {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last) return { value: 0, coversMs: 0 };
    // A counter reset (never within one process, but cheap to guard) counts from zero.
    const value = last.total >= first.total ? last.total - first.total : last.total;
    return { value, coversMs: Math.min(this.windowMs, last.atMs - first.atMs) };
  }
}
