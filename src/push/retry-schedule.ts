/**
 * When a failed delivery is tried again: the Standard Webhooks schedule (after the immediate
 * first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h), each wait spread by
 * ±20 % so that events failed together do not come back together.
 */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  14 * 3_600_000,
  20 * 3_600_000,
  24 * 3_600_000,
];

const SCHEDULE_TOTAL_MS = RETRY_SCHEDULE_MS.reduce((sum, ms) => sum + ms, 0);
const JITTER = 0.2;
/** A Retry-After longer than the schedule's longest wait is capped to it. */
const MAX_RETRY_AFTER_MS = RETRY_SCHEDULE_MS[RETRY_SCHEDULE_MS.length - 1];

/** The wait after the `failures`-th failed attempt of one event (1 = the first attempt failed). */
export function retryDelayMs(failures: number, random: () => number = Math.random): number {
  const base = RETRY_SCHEDULE_MS[Math.min(Math.max(failures, 1), RETRY_SCHEDULE_MS.length) - 1];
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}

/**
 * The schedule is over: every retry has been made and the time it spans has passed. Time counts
 * too because probing a failing endpoint tries the same event more often than the schedule does
 * (every 30 s), and that must not make the event fail early.
 */
export function scheduleExhausted(failures: number, sinceFirstAttemptMs: number): boolean {
  return failures > RETRY_SCHEDULE_MS.length && sinceFirstAttemptMs >= SCHEDULE_TOTAL_MS * (1 - JITTER);
}

/** Retry-After in milliseconds (delta-seconds or an HTTP date), or undefined when absent or unusable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}
