import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived the last full collection before
 * it collects again. V8's own choice (up to several times the live heap) took the service from
 * about 200 MiB idle to 400 MiB under a burst of notifications, although what stays alive is
 * about 50 MiB: requests that wait a few milliseconds for their commit survive the young
 * generation and fill the old one with garbage. In `npm run bench` the peak was 214 MiB at
 * 15 %, 218–250 at 25 %, 265 at 50 % and 290 at 100 %, for about a tenth more CPU per
 * notification than V8's default (15 % cost no more than 25 %). That was on Node 20. On Node 24,
 * with the young generation capped (NEW_SPACE_MAX_MIB), more requests outlive it and 15 % meant
 * a full collection every few megabytes: paired against 15 %, 30 % took 8 % less CPU per
 * notification for 11 MiB more peak RSS, 50 % 9 % less for 25 MiB more (docs/performance.md).
 *
 * Unlike --max-old-space-size it does not lower the heap limit: the heap still grows as far as
 * it must (a large transcript, a long backlog), it is only collected sooner. So it does not
 * make an out-of-memory crash, which would lose every notification not yet answered, likelier.
 */
export const HEAP_GROWING_PERCENT = 30;

/**
 * Applies the heap policy of the validated configuration (V8_HEAP_GROWING_PERCENT, default
 * HEAP_GROWING_PERCENT), in main.ts once `.env` is read and validated; 0 leaves V8's default.
 */
export function applyHeapPolicy(percent: number, setFlags: (flags: string) => void = setFlagsFromString): void {
  if (percent > 0) setFlags(`--heap-growing-percent=${percent}`);
}

/**
 * The most V8's young generation (both semi-spaces) may hold, in MiB. On Node 24 on a machine
 * with a few GiB, V8 lets it grow to 128 MiB: under an intake burst it did, and that alone took
 * the service's peak RSS from about 230 to 330 MiB while the old generation held under 60 MiB.
 * It settles at half of this (see capNewSpace). Each halving doubles the scavenges, and under
 * load each one copies every request still waiting for its commit: paired against V8's own
 * growth (docs/performance.md), 32 cost about 8 % of the service's CPU per notification in
 * collections, 48 about half that. With 30 % heap growth, 48 kept the intake benchmark's peak
 * RSS at 211–236 MiB with retrieval off; with it on, drains included, 253–257 MiB until Prisma's
 * query compiler was built for size (prisma/schema.prisma), 227 since.
 */
export const NEW_SPACE_MAX_MIB = 48;

const MIB = 2 ** 20;
/** V8's own factor by which a semi-space grows when most of it survives a scavenge. */
const V8_SEMI_SPACE_GROWTH_FACTOR = 2;

function newSpaceBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * Caps the young generation at `maxMiB` (V8_NEW_SPACE_MAX_MIB; 0 gives V8 its own growth).
 * --max-semi-space-size only counts on the command line, which the service does not own
 * (`node dist/main.js`, a container's entrypoint), so this works on the flag V8 does read at
 * run time: the semi-spaces' growth factor. V8 grows the young generation by doubling it after
 * a scavenge; PerformanceObserver reports the scavenge a moment later, by which time under a
 * burst V8 may have doubled it once more (measured: 32 → 64 MiB with growth switched off at 32).
 * So growth is switched off once it reaches half the cap, and back on when V8 has shrunk it
 * below (an idle service): it settles at half the cap, and one late doubling ends at the cap.
 * Returns the function that stops watching (and lets V8 grow it again).
 */
export function capNewSpace(
  maxMiB: number,
  setFlags: (flags: string) => void = setFlagsFromString,
  currentBytes: () => number = newSpaceBytes,
): () => void {
  if (maxMiB <= 0) {
    // V8's own growth (src/heap-cap-at-load.ts stopped it while the modules loaded).
    setFlags(`--semi-space-growth-factor=${V8_SEMI_SPACE_GROWTH_FACTOR}`);
    return () => undefined;
  }
  let growing: boolean | undefined;
  const check = () => {
    const grow = currentBytes() < (maxMiB * MIB) / 2;
    if (grow === growing) return;
    setFlags(`--semi-space-growth-factor=${grow ? V8_SEMI_SPACE_GROWTH_FACTOR : 1}`);
    growing = grow;
  };
  check();
  // After any collection: a scavenge is where V8 grows it, a full one where it may shrink it.
  const observer = new PerformanceObserver(check);
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    if (growing === false) setFlags(`--semi-space-growth-factor=${V8_SEMI_SPACE_GROWTH_FACTOR}`);
  };
}
