/**
 * A lease: one holder at a time for a named piece of work (a push subscription's dispatch, a
 * queue), with a fencing generation that is bumped every time the lease changes hands. A holder
 * that lost its lease without noticing (a pause, a partition) can still run, but none of its
 * fenced writes lands: each names the generation it holds, and the row says another.
 */
export interface Lease {
  name: string;
  holder: string;
  generation: bigint;
}

/**
 * The fence, written once: true while `generation` is still the lease's. Put it in the WHERE of
 * every write the holder makes. FOR SHARE locks the lease row until the writing transaction
 * ends, so the lease cannot change hands between this check and that commit: an acquire
 * waits, and a write waiting on an acquire re-reads the row and finds the new generation.
 * `name` and `generation` are SQL expressions (usually placeholders such as `$2`).
 */
export function leaseFence(name: string, generation: string): string {
  return `EXISTS (SELECT 1 FROM leases WHERE leases.name = ${name} AND leases.generation = ${generation} FOR SHARE)`;
}
