/** How retryable failures are spaced out; values come from configuration. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

/**
 * A vendor asking for more than this is treated as asking for this: one odd Retry-After
 * must not park a clinician's note for days.
 */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/**
 * When to try again after the `attempts`-th attempt failed in a way worth retrying.
 * Exponential backoff with full jitter (a uniform delay between 0 and base·2^(attempts-1),
 * capped), so replicas retrying after a shared outage do not stampede Suki in step. A
 * Retry-After from Suki wins when it asks for longer. After maxAttempts: give up.
 */
export function nextRetry(attempts: number, policy: BackoffPolicy, random: () => number, retryAfterMs?: number): RetryDecision {
  if (attempts >= policy.maxAttempts) return { retry: false };
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const jittered = Math.floor(random() * ceiling);
  const asked = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  return { retry: true, delayMs: Math.max(jittered, asked) };
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
