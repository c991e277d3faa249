/** While intake is busy, one delivery starts this often in the whole process. */
export const BUSY_TRICKLE_MS = 250;

/**
 * The deliveries push still makes while intake is saturated: one per BUSY_TRICKLE_MS for the
 * whole process, however many subscriptions it dispatches. Each delivery costs a check, an
 * attempt and a flush in the database besides the request; one per subscription let ten
 * subscriptions take a fifth of intake's throughput under a saturating load.
 */
export class BusyTrickle {
  private lastAt = Number.NEGATIVE_INFINITY;

  /** Whether a delivery may start now (then call `took`). */
  due(now: number): boolean {
    return now - this.lastAt >= BUSY_TRICKLE_MS;
  }

  took(now: number): void {
    this.lastAt = now;
  }

  /** Milliseconds until the next delivery may start. */
  untilDue(now: number): number {
    return Math.max(0, this.lastAt + BUSY_TRICKLE_MS - now);
  }
}
