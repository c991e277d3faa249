/**
 * Arrival order across the service: received milliseconds × 1000 plus a counter, strictly
 * increasing within a process. It breaks ties on generated-at whatever order batches commit in.
 */
let lastArrival = 0n;
export function nextArrival(receivedAtMs: number): bigint {
  const candidate = BigInt(receivedAtMs) * 1000n;
  lastArrival = candidate > lastArrival ? candidate : lastArrival + 1n;
  return lastArrival;
}

/**
 * Makes every later arrival number greater than `floor`. The spool calls it at boot with the
 * last arrival it holds: a restarted process (its clock perhaps behind the one that spooled)
 * must neither reuse a spooled key nor slip new notifications in before spooled ones.
 */
export function raiseArrivalFloor(floor: bigint): void {
  if (floor > lastArrival) lastArrival = floor;
}
