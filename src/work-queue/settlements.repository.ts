import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import { SessionStatus } from '../generated/prisma/enums';
import { ClaimedArtifact, ResultRequest, StatusSettlement } from './claimed-artifact';
import { heldClaim, markReady, queuedResults } from './queue-sql';

/** The arrival a status check's answer counts as: after every notification (see completeStatusCheck). */
const SETTLED_ARRIVAL = '9223372036854775807';

type SettlementRow = Array<{ written: number; settled: number; requested: number }>;

/**
 * A `status` artifact done: marked ready, and its session settled with Suki's answer, in one
 * statement, so that the poll or check is never ready with its session unsettled (or the other
 * way round). Conditional on the claim still holding, like every write of the queue.
 */
@Injectable()
export class SettlementsRepository {
  /** Whether what this process fetches comes from the built-in simulator: stored with the data. */
  private readonly simulated: boolean;

  constructor(
    private readonly db: PrismaService,
    config: AppConfig,
  ) {
    this.simulated = config.suki.simulate;
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
    const [row] = await this.db.$queryRaw<SettlementRow>`
      WITH done AS (
        UPDATE artifacts
        SET ${markReady(data, this.simulated)}
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

  /**
   * Marks a missed-notification poll ready and settles its session with Suki's final answer, as
   * `reconciled`, provided nothing is known of it yet (no notification and no status check
   * reached it meanwhile: those win). last_event_at stays NULL, because no vendor event was seen:
   * any notification of the session that still arrives applies over this settlement (intake's
   * rule applies an event over a session that reflects none). The encounter takes the status
   * only when it too reflects no vendor event; otherwise it keeps the session of the latest event.
   *
   * On `completed`, the session's results are queued in the same statement from the documented
   * paths, as a success notification would have queued them (so a crash cannot leave a completed
   * session with no note on its way). They are requested at now(): a newer notification's
   * request still takes them over, an older one leaves the fetched results alone.
   */
  async settlePoll(
    job: ClaimedArtifact,
    data: unknown,
    status: SessionStatus,
    results: readonly ResultRequest[],
  ): Promise<StatusSettlement> {
    // Raw: writes chained in one statement (data-modifying CTEs), which Prisma cannot express.
    const [row] = await this.db.$queryRaw<SettlementRow>`
      WITH done AS (
        UPDATE artifacts
        SET ${markReady(data)}
        WHERE ${heldClaim(job)}
        RETURNING session_id
      ), settled AS (
        UPDATE sessions s
        SET status = ${status}::"SessionStatus", source = 'reconciled', updated_at = GREATEST(s.updated_at, now())
        FROM done
        WHERE s.id = done.session_id AND s.status = 'pending' AND s.last_event_at IS NULL
        RETURNING s.id, s.encounter_id
      ), encounter AS (
        UPDATE encounters e
        SET status = CASE WHEN e.last_event_at IS NULL THEN ${status}::"SessionStatus" ELSE e.status END,
            updated_at = GREATEST(e.updated_at, now())
        FROM settled
        WHERE e.id = settled.encounter_id
        RETURNING e.id
      ), results AS (
        ${queuedResults(results, status, Prisma.raw('now()'))}
      )
      SELECT (SELECT count(*) FROM done)::int AS written, (SELECT count(*) FROM settled)::int AS settled,
             (SELECT count(*) FROM encounter)::int AS encounter, (SELECT count(*) FROM results)::int AS requested`;
    return { written: row.written > 0, settled: row.settled > 0, requested: row.requested };
  }
}
