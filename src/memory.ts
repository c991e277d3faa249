import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived the last full collection before
 * it collects again. V8's own choice (up to several times the live heap) took the service from
 * about 200 MiB idle to 400 MiB under a burst of notifications, although what stays alive is
 * about 50 MiB: requests that wait a few milliseconds for their commit survive the young
 * generation and fill the old one with garbage. In `npm run bench` the peak was 214 MiB at
 * 15 %, 218–250 at 25 %, 265 at 50 % and 290 at 100 %, for about a tenth more CPU per
 * notification than V8's default (15 % cost no more than 25 %).
 *
 * Unlike --max-old-space-size it does not lower the heap limit: the heap still grows as far as
 * it must (a large transcript, a long backlog), it is only collected sooner. So it does not
 * make an out-of-memory crash, which would lose every notification not yet answered, likelier.
 */
export const HEAP_GROWING_PERCENT = 15;

/**
 * Applies the heap policy of the validated configuration (V8_HEAP_GROWING_PERCENT, default
 * HEAP_GROWING_PERCENT), in main.ts once `.env` is read and validated; 0 leaves V8's default.
 */
export function applyHeapPolicy(percent: number, setFlags: (flags: string) => void = setFlagsFromString): void {
  if (percent > 0) setFlags(`--heap-growing-percent=${percent}`);
}
