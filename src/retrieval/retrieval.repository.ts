import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PrismaService } from '../database/prisma.service';
import { RECONCILE_REQUESTED_AT } from '../database/reconcile-poll';
import { Prisma } from '../generated/prisma/client';
import { ArtifactKind, SessionStatus } from '../generated/prisma/enums';
import { storableJson } from './storable-json';
import { sukiGateOpen } from './suki-breaker.repository';

/** An artifact this process has leased and is fetching. */
export interface ClaimedArtifact {
  id: string;
  kind: ArtifactKind;
  ownerId: string;
  sessionId: string | null;
  encounterId: string;
  href: string;
  /** Including the attempt now under way. */
  attempts: number;
  /** Since the first attempt of this request, as the database measured it at the claim: the retry horizon runs on it. */
  elapsedMs: number;
  generation: number;
  /**
   * The lease as the database wrote it. Every write for this claim also requires it, so a
   * worker whose lease ran out and was taken over cannot overwrite the newer worker's result.
   */
  lease: string;
  /** A missed-notification poll (reconcile migration), not work a notification asked for. */
  reconcile: boolean;
}

export interface StatusSettlement {
  /** The artifact was still ours and is now ready. */
  written: boolean;
  /** The session took the status (it had not moved on since the check was requested). */
  settled: boolean;
  /** Result artifacts queued because Suki said `completed` (0 otherwise). */
  requested: number;
}

/** A result to fetch after a status check said `completed` (src/suki/documented-paths.ts). */
export interface ResultRequest {
  kind: ArtifactKind;
  ownerId: string;
  sessionId: string | null;
  href: string;
}

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

/** A status check or a missed-notification poll: their own budget of the limit (retrieval.worker.ts). */
export function isCheck(job: Pick<ClaimedArtifact, 'kind'>): boolean {
  return job.kind === 'status';
}

/**
 * The fence of a claim: every write for it requires the artifact to be still pending under the
 * same generation and lease, so a worker whose lease ran out and was taken over, or whose work
 * was requested anew, changes nothing. `alias` names the artifacts table in the statement.
 */
export function heldClaim(job: Pick<ClaimedArtifact, 'id' | 'generation' | 'lease'>, alias?: string): Prisma.Sql {
  const a = Prisma.raw(alias ? `${alias}.` : '');
  return Prisma.sql`${a}id = ${job.id}::bigint AND ${a}generation = ${job.generation}::int AND ${a}locked_until = ${job.lease}::timestamptz AND ${a}status = 'pending'`;
}

/** Not leased, or its lease ran out (a crashed worker's). */
const DUE_UNLEASED = Prisma.sql`(locked_until IS NULL OR locked_until < now())`;

/**
 * The artifacts table is the retrieval queue: every statement here claims, completes, retries
 * or fails rows, each conditional on the claim still holding (same generation, same lease). A
 * newer request from intake bumps the generation and so wins over a fetch begun for an older one.
 */
/** The arrival a status check's answer counts as: after every notification (see completeStatusCheck). */
const SETTLED_ARRIVAL = '9223372036854775807';

@Injectable()
export class RetrievalRepository {
  /** Whether what this process fetches comes from the built-in simulator: stored with the data. */
  private readonly simulated: boolean;

  constructor(
    private readonly db: PrismaService,
    config: AppConfig,
  ) {
    this.simulated = config.suki.simulate;
  }

  /**
   * Leases up to `total` due artifacts and counts the attempt: results by priority (the
   * ArtifactKind order: the note first), first in, first out within a kind, but leaving up to
   * `checks` slots to the status checks that are due; checks (those a notification asked for
   * before missed-notification polls) then take what results left. Nothing while the cluster's
   * breaker is open (unless `probe`: this process holds the probe) or a Retry-After pause lasts.
   * SKIP LOCKED lets replicas claim side by side without waiting on each other; an expired lease
   * (a crashed worker) makes the row claimable again. The first attempt of a request (attempts
   * reset to 0 by intake's re-request or an operator's retry) starts its retry horizon.
   *
   * Each CTE is one ordered scan of the (status, kind, next_attempt_at, id) index, stopped by
   * its LIMIT (see the time_to_note migration); the rows picked are then updated by primary key.
   */
  claim(total: number, checks: number, leaseMs: number, probe = false): Promise<ClaimedArtifact[]> {
    const gate = sukiGateOpen(probe);
    // Raw: FOR UPDATE SKIP LOCKED, and an UPDATE … FROM a CTE, are beyond Prisma's API.
    return this.db.$queryRaw<ClaimedArtifact[]>`
      WITH reserved AS (
        SELECT count(*) AS n FROM (
          SELECT 1 FROM artifacts
          WHERE status = 'pending' AND kind = 'status' AND next_attempt_at <= now() AND ${DUE_UNLEASED}
          LIMIT ${checks}::int
        ) due
      ), results AS (
        SELECT id FROM artifacts
        WHERE status = 'pending' AND kind <> 'status' AND next_attempt_at <= now() AND ${DUE_UNLEASED} AND ${gate}
        ORDER BY kind, next_attempt_at, id
        LIMIT GREATEST(0, ${total}::int - (SELECT n FROM reserved))
        FOR UPDATE SKIP LOCKED
      ), notified AS (
        SELECT id FROM artifacts
        WHERE status = 'pending' AND kind = 'status' AND next_attempt_at <= now() AND ${DUE_UNLEASED}
          AND requested_at <> ${RECONCILE_REQUESTED_AT}::timestamptz AND ${gate}
        ORDER BY next_attempt_at, id
        LIMIT GREATEST(0, ${total}::int - (SELECT count(*) FROM results))
        FOR UPDATE SKIP LOCKED
      ), polls AS (
        SELECT id FROM artifacts
        WHERE status = 'pending' AND kind = 'status' AND next_attempt_at <= now() AND ${DUE_UNLEASED}
          AND requested_at = ${RECONCILE_REQUESTED_AT}::timestamptz AND ${gate}
        ORDER BY next_attempt_at, id
        LIMIT GREATEST(0, ${total}::int - (SELECT count(*) FROM results) - (SELECT count(*) FROM notified))
        FOR UPDATE SKIP LOCKED
      ), picked AS (
        SELECT id FROM results UNION ALL SELECT id FROM notified UNION ALL SELECT id FROM polls
      )
      UPDATE artifacts a
      SET locked_until = now() + ${leaseMs}::float8 * interval '1 millisecond', attempts = a.attempts + 1,
          first_attempt_at = CASE WHEN a.attempts = 0 OR a.first_attempt_at IS NULL THEN now() ELSE a.first_attempt_at END
      -- An array, not a join: the planner cannot tell how few rows the CTEs give, and a join
      -- planned for many walked the whole primary key (25 ms at 240,000 rows; 2 ms this way).
      WHERE a.id = ANY(ARRAY(SELECT id FROM picked))
      RETURNING a.id::text AS id, a.kind::text AS kind, a.owner_id AS "ownerId", a.session_id AS "sessionId",
                a.encounter_id AS "encounterId", a.href, a.attempts, a.generation, a.locked_until::text AS lease,
                GREATEST(0, EXTRACT(EPOCH FROM now() - a.first_attempt_at) * 1000)::float8 AS "elapsedMs",
                a.requested_at = ${RECONCILE_REQUESTED_AT}::timestamptz AS reconcile`;
  }

  /**
   * Stores a fetched result; the seconds since the artifact was queued (the notification's
   * acknowledgement) when it was still this claim's, undefined when not (superseded).
   */
  async complete(job: ClaimedArtifact, data: unknown): Promise<number | undefined> {
    // Raw: the times are the database's now(), as in the claim; updateMany would send the app's clock.
    const [row] = await this.db.$queryRaw<Array<{ waited: number }>>`
      UPDATE artifacts
      SET status = 'ready', data = ${storableJson(data)}::jsonb, simulated = ${this.simulated}, fetched_at = now(), purged_at = NULL,
          last_error = NULL, locked_until = NULL, next_attempt_at = NULL, updated_at = now()
      WHERE ${heldClaim(job)}
      RETURNING GREATEST(0, EXTRACT(EPOCH FROM now() - created_at))::float8 AS waited`;
    return row?.waited;
  }

  /**
   * Marks a status check ready and, in the same statement, settles its session with Suki's
   * answer, unless a newer event has reached the session since the check was requested. The
   * encounter follows when this session is the one it reflects, or when every event it
   * reflects is older than the one that asked for the check (on a tie it keeps what it shows).
   *
   * When Suki says `completed`, the session's results are queued in that same statement, as a
   * success notification would have queued them: a crash after the commit cannot leave a
   * session completed with no note on its way. They follow intake's rule for re-requests (a
   * newer request resets the artifact, an older one leaves it alone).
   */
  async completeStatusCheck(
    job: ClaimedArtifact,
    data: unknown,
    status: SessionStatus | undefined,
    results: readonly ResultRequest[],
  ): Promise<StatusSettlement> {
    // Raw: four writes chained in one statement (data-modifying CTEs), which Prisma cannot express.
    const [row] = await this.db.$queryRaw<Array<{ written: number; settled: number; requested: number }>>`
      WITH done AS (
        UPDATE artifacts
        SET status = 'ready', data = ${storableJson(data)}::jsonb, simulated = ${this.simulated}, fetched_at = now(), purged_at = NULL,
            last_error = NULL, locked_until = NULL, next_attempt_at = NULL, updated_at = now()
        WHERE ${heldClaim(job)}
        RETURNING session_id, requested_at
      ), before AS (
        -- The session as it was: whether the encounter shows this session's event.
        SELECT s.id, s.last_event_at, s.last_arrival FROM sessions s JOIN done ON s.id = done.session_id
      ), settled AS (
        -- Suki's answer stands for the event that asked for the check (requested_at is its
        -- generated-at; for an unrecognised status the session had not moved to it): an older
        -- event delivered late must not overwrite it. The answer was given after that event, so
        -- it also wins ties at that instant: a NULL arrival to event_is_newer (latest_wins_once
        -- migration), and last_arrival takes the largest value there is.
        UPDATE sessions s
        SET status = ${status ?? null}::"SessionStatus", updated_at = GREATEST(s.updated_at, now()),
            last_event_at = done.requested_at, last_arrival = ${SETTLED_ARRIVAL}::bigint, source = 'status_check'
        FROM done
        WHERE ${status ?? null}::"SessionStatus" IS NOT NULL AND s.id = done.session_id
          AND event_is_newer(s.last_event_at, s.last_arrival, done.requested_at, NULL::bigint)
        RETURNING s.id, s.encounter_id, done.requested_at
      ), reflected AS (
        -- The encounter shows the session with the latest vendor event: this one when it showed
        -- this session already, or when everything it showed is older than the check's event.
        UPDATE encounters e
        SET status = ${status ?? null}::"SessionStatus", updated_at = GREATEST(e.updated_at, now()),
            last_event_at = settled.requested_at, last_arrival = ${SETTLED_ARRIVAL}::bigint
        FROM settled JOIN before ON before.id = settled.id
        WHERE e.id = settled.encounter_id
          AND (e.last_event_at IS NULL OR e.last_event_at < settled.requested_at
               OR (e.last_event_at = before.last_event_at AND e.last_arrival IS NOT DISTINCT FROM before.last_arrival))
        RETURNING e.id
      ), results AS (
        ${queuedResults(results, status ?? null, Prisma.raw('settled.requested_at'))}
      )
      SELECT (SELECT count(*) FROM done)::int AS written, (SELECT count(*) FROM settled)::int AS settled,
             (SELECT count(*) FROM reflected)::int AS reflected, (SELECT count(*) FROM results)::int AS requested`;
    return { written: row.written > 0, settled: row.settled > 0, requested: row.requested };
  }

  async retryLater(job: ClaimedArtifact, reason: string, delayMs: number): Promise<boolean> {
    // Raw: the retry time is now() + delay on the database's clock, which the lease compares against.
    const written = await this.db.$executeRaw`
      UPDATE artifacts
      SET last_error = ${reason}, next_attempt_at = now() + ${delayMs}::float8 * interval '1 millisecond',
          locked_until = NULL, updated_at = now()
      WHERE ${heldClaim(job)}`;
    return written > 0;
  }

  async fail(job: ClaimedArtifact, reason: string): Promise<boolean> {
    // Raw: updated_at is the database's now(), like every other write of the queue.
    const written = await this.db.$executeRaw`
      UPDATE artifacts
      SET status = 'failed', last_error = ${reason}, locked_until = NULL, next_attempt_at = NULL, updated_at = now()
      WHERE ${heldClaim(job)}`;
    return written > 0;
  }

  /** Hands unfinished claims back (at shutdown), so another worker takes them at once. */
  async release(jobs: readonly ClaimedArtifact[]): Promise<number> {
    if (jobs.length === 0) return 0;
    // Raw: many fenced rows in one statement (UPDATE … FROM jsonb_to_recordset).
    const claims = JSON.stringify(jobs.map(({ id, generation, lease }) => ({ id, generation, lease })));
    return this.db.$executeRaw`
      UPDATE artifacts a
      SET locked_until = NULL
      FROM jsonb_to_recordset(${claims}::jsonb) AS r(id bigint, generation int, lease timestamptz)
      WHERE a.id = r.id AND a.generation = r.generation AND a.locked_until = r.lease AND a.status = 'pending'`;
  }
}
