/**
 * How fast and how wide the Suki API simulator answers, so that a newcomer can watch retrieval
 * follow Suki: `npm run notify -- success --suki-latency 500 --suki-limit 16` puts
 * `?suki_latency=500&suki_limit=16` on every href of the notification. Like a fault
 * (src/simulator/fault.ts) it travels in the href itself: no control channel, no shared state.
 *
 * - `suki_latency=<ms>` (0–10000): the answer comes that long after the call.
 * - `suki_limit=<n>` (1–1000): while n calls that carry a limit are already being answered, one
 *   more is refused 429 with `Retry-After: 1`, as Suki does above the concurrency it grants.
 *
 * scripts/notify.js checks the same ranges before sending.
 */
export const LATENCY_PARAM = 'suki_latency';
export const LIMIT_PARAM = 'suki_limit';

export interface Playback {
  latencyMs: number;
  limit?: number;
}

const WHOLE = /^\d{1,5}$/;

/** The playback the query asks for, or a message saying which parameter is wrong. */
export function parsePlayback(query: URLSearchParams): Playback | string {
  const latency = query.get(LATENCY_PARAM);
  const limit = query.get(LIMIT_PARAM);
  if (latency !== null && (!WHOLE.test(latency) || Number(latency) > 10_000))
    return `${LATENCY_PARAM} must be milliseconds from 0 to 10000`;
  if (limit !== null && (!WHOLE.test(limit) || Number(limit) < 1 || Number(limit) > 1_000)) return `${LIMIT_PARAM} must be from 1 to 1000`;
  return { latencyMs: latency === null ? 0 : Number(latency), limit: limit === null ? undefined : Number(limit) };
}

/** Calls being answered under a limit, across every URL: the concurrency Suki would count. */
export class ConcurrencyGate {
  private inFlight = 0;

  /** Whether a call under `limit` may be answered now; if so it counts until `release`. */
  admit(limit: number): boolean {
    if (this.inFlight >= limit) return false;
    this.inFlight += 1;
    return true;
  }

  release(): void {
    this.inFlight -= 1;
  }
}
