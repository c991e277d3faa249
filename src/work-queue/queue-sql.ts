import { Prisma } from '../generated/prisma/client';
import { SessionStatus } from '../generated/prisma/enums';
import { ClaimedArtifact, ResultRequest } from './claimed-artifact';
import { storableJson } from './storable-json';

/*
 * The pieces every statement of the artifacts queue is built from, each written once. Every
 * time in them is the database's now(), the clock the leases are compared against.
 */

/** Not leased, or its lease ran out (a crashed worker's). */
export const UNLEASED = Prisma.sql`(locked_until IS NULL OR locked_until < now())`;

/** Due now and not leased: what a claim may take. */
export const DUE_UNLEASED = Prisma.sql`next_attempt_at <= now() AND ${UNLEASED}`;

/**
 * The lease fence: the artifact is still pending under the same generation and lease, so a
 * worker whose lease ran out and was taken over, or whose work was requested anew, changes
 * nothing. `alias` names the artifacts table in the statement.
 */
function leaseFence(alias: string | undefined, held: { id: Prisma.Sql; generation: Prisma.Sql; lease: Prisma.Sql }): Prisma.Sql {
  const a = Prisma.raw(alias ? `${alias}.` : '');
  return Prisma.sql`${a}id = ${held.id} AND ${a}generation = ${held.generation} AND ${a}locked_until = ${held.lease} AND ${a}status = 'pending'`;
}

/** The fence of one claim. */
export function heldClaim(job: Pick<ClaimedArtifact, 'id' | 'generation' | 'lease'>, alias?: string): Prisma.Sql {
  return leaseFence(alias, {
    id: Prisma.sql`${job.id}::bigint`,
    generation: Prisma.sql`${job.generation}::int`,
    lease: Prisma.sql`${job.lease}::timestamptz`,
  });
}

/** The fence of many claims at once: artifacts `a` against `r`, a recordset of (id, generation, lease). */
export const HELD_CLAIMS = leaseFence('a', {
  id: Prisma.raw('r.id'),
  generation: Prisma.raw('r.generation'),
  lease: Prisma.raw('r.lease'),
});

/**
 * Mark ready: the fetched data stored, the lease and the schedule cleared. `simulated` says
 * whether the data came from the built-in simulator; left out, the column keeps its value (a
 * reconcile poll's settlement writes it so).
 */
export function markReady(data: unknown, simulated?: boolean): Prisma.Sql {
  const source = simulated === undefined ? Prisma.empty : Prisma.sql` simulated = ${simulated},`;
  return Prisma.sql`status = 'ready', data = ${storableJson(data)}::jsonb,${source} fetched_at = now(), purged_at = NULL,
          last_error = NULL, locked_until = NULL, next_attempt_at = NULL, updated_at = now()`;
}

/**
 * Rescheduled: tried again `delayMs` from now, the lease handed back. Due at once (0), it keeps
 * its place in line (it was due when claimed): first come, first served within a kind, so a
 * note refused during a pause goes before the notes of later visits once the pause ends.
 */
export function rescheduled(reason: string, delayMs: number): Prisma.Sql {
  const next = delayMs > 0 ? Prisma.sql`now() + ${delayMs}::float8 * interval '1 millisecond'` : Prisma.sql`LEAST(next_attempt_at, now())`;
  return Prisma.sql`last_error = ${reason}, next_attempt_at = ${next}, locked_until = NULL, updated_at = now()`;
}

/** Failed for good (a dead letter until an operator retries it). */
export function failed(reason: string): Prisma.Sql {
  return Prisma.sql`status = 'failed', last_error = ${reason}, locked_until = NULL, next_attempt_at = NULL, updated_at = now()`;
}

/** The session of artifact `a` has no outcome yet: pending, and no vendor event seen. */
export const SESSION_UNRESOLVED = Prisma.sql`EXISTS (SELECT 1 FROM sessions s WHERE s.id = a.session_id AND s.status = 'pending' AND s.last_event_at IS NULL)`;

/**
 * The results a `completed` answer from Suki's status endpoint queues (the documented paths of
 * the configured kinds), as the body of a `results` CTE that follows a `settled` one: pending at
 * once, under intake's rule that a newer request resets an artifact and an older one leaves it.
 * `requestedAt` is the SQL for the vendor time the request stands for. Written once for the
 * status check and reconciliation.
 */
export function queuedResults(results: readonly ResultRequest[], status: SessionStatus | null, requestedAt: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`INSERT INTO artifacts AS a (kind, owner_id, session_id, encounter_id, status, href, next_attempt_at, requested_at, created_at, updated_at)
        SELECT (x->>'kind')::"ArtifactKind", x->>'ownerId', x->>'sessionId', settled.encounter_id, 'pending', x->>'href',
               now(), ${requestedAt}, now(), now()
        FROM settled CROSS JOIN jsonb_array_elements(${JSON.stringify(results)}::jsonb) AS x
        WHERE ${status}::"SessionStatus" = 'completed'
        ON CONFLICT (owner_id, kind) DO UPDATE SET
          status = 'pending', href = excluded.href, attempts = 0, last_error = NULL, next_attempt_at = excluded.next_attempt_at,
          locked_until = NULL, generation = a.generation + 1, requested_at = excluded.requested_at, updated_at = excluded.updated_at
        WHERE a.requested_at <= excluded.requested_at
        RETURNING a.id`;
}
