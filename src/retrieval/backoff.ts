/** How retryable failures are spaced out, and for how long; values come from configuration. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** Transient failures are retried until this long after the first attempt. */
  horizonMs: number;
  /** An extra limit on attempts, only when an operator set one (SUKI_FETCH_MAX_ATTEMPTS). */
  maxAttempts?: number;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: string };

/**
 * A vendor asking for more than this is treated as asking for this: one odd Retry-After
 * must not park a clinician's note for days.
 */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/**
 * When to try again after the `attempts`-th attempt failed in a way worth retrying, begun
 * `elapsedMs` after the first attempt. Retries are bounded in time, not in count: an outage of
 * minutes or hours heals by itself, and only an artifact whose failing attempt began past the
 * horizon is given up. Exponential backoff with full jitter (a uniform delay between 0 and
 * base·2^(attempts-1), capped), so replicas retrying after a shared outage do not stampede Suki
 * in step; a Retry-After from Suki wins when it asks for longer.
 */
export function nextRetry(
  attempts: number,
  elapsedMs: number,
  policy: BackoffPolicy,
  random: () => number,
  retryAfterMs?: number,
): RetryDecision {
  if (elapsedMs >= policy.horizonMs) return { retry: false, reason: `gave up after ${attempts} attempts over ${describeSpan(elapsedMs)}` };
  if (policy.maxAttempts !== undefined && attempts >= policy.maxAttempts)
    return { retry: false, reason: `gave up after ${attempts} attempts` };
  return { retry: true, delayMs: backoffDelay(attempts, policy, random, retryAfterMs) };
}

/** The jittered, capped exponential delay after `attempts` failures, or Retry-After when longer. */
export function backoffDelay(
  attempts: number,
  policy: { baseMs: number; maxMs: number },
  random: () => number,
  retryAfterMs?: number,
): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const jittered = Math.floor(random() * ceiling);
  const asked = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  return Math.max(jittered, asked);
}

/** "42 s", "17 min", "26.5 h": for a reason an operator reads. */
export function describeSpan(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/**
 * A Retry-After header in milliseconds from `nowMs`: either delay-seconds or an HTTP-date
 * (RFC 9110 §10.2.3). Undefined when absent or unreadable; a date in the past means now.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw) * 1000;
  if (!/[a-z]/i.test(raw)) return undefined;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
