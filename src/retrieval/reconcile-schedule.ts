/**
 * When a silent session is polled at Suki's status endpoint (missed-notification recovery,
 * docs/architecture.md). The first poll comes RECONCILE_AFTER_MS after the session became known (or after the
 * endedAt its registrant gave); after the n-th poll still finds it in progress, the next waits
 * base·2^(n-1), capped at max, less up to a quarter of jitter so that sessions registered together
 * drift apart instead of hitting Suki in step. Polling stops once a poll begins past the horizon
 * (measured from the first poll), so one session costs a bounded number of calls: see
 * maxPollsWithin.
 */
export interface ReconcilePolicy {
  baseMs: number;
  maxMs: number;
  horizonMs: number;
}

/** The share of a delay that jitter may take off it; the rest is a floor that bounds the calls. */
export const RECONCILE_JITTER = 0.25;

export type PollDecision = { poll: true; delayMs: number } | { poll: false; reason: string };

/** After the `polls`-th poll (begun `elapsedMs` after the first) found the session still in progress. */
export function nextPoll(polls: number, elapsedMs: number, policy: ReconcilePolicy, random: () => number): PollDecision {
  if (elapsedMs >= policy.horizonMs) return { poll: false, reason: `still unknown at Suki after ${polls} polls` };
  return { poll: true, delayMs: pollDelay(polls, policy, random) };
}

export function pollDelay(polls: number, policy: { baseMs: number; maxMs: number }, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(polls - 1, 0), 30));
  return Math.max(1, Math.round(ceiling * (1 - RECONCILE_JITTER * random())));
}

/**
 * The most status calls one session can cost, with every delay at its jittered minimum: each
 * poll that begins before the horizon is made, and the one after it sees the horizon passed.
 * Transient failures (Suki down) are retried on the retrieval backoff instead and are not counted.
 */
export function maxPollsWithin(policy: ReconcilePolicy): number {
  return pollsWithin(policy, () => 1);
}

/** The calls one session costs when every delay takes its full length (no jitter). */
export function minPollsWithin(policy: ReconcilePolicy): number {
  return pollsWithin(policy, () => 0);
}

function pollsWithin(policy: ReconcilePolicy, random: () => number): number {
  let polls = 1;
  let elapsed = 0;
  for (;;) {
    const next = nextPoll(polls, elapsed, policy, random);
    if (!next.poll) return polls;
    elapsed += next.delayMs;
    polls += 1;
  }
}
