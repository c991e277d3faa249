import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';

/** Any replica may run retention; this lock makes one batch run at a time across them. */
const RETENTION_LOCK = 1702258036;

@Injectable()
export class EventsRetentionRepository {
  constructor(private readonly db: PrismaService) {}

  /**
   * Deletes up to `batch` of the oldest events (in feed order) that are older than the cutoff,
   * and moves the horizon to the last one deleted, in one short transaction (a long one would
   * hold the feed's xmin back). Only a prefix of the feed goes, so every cursor before the
   * horizon, and only those, may have missed events. Returns how many were deleted, or
   * undefined when another replica holds the lock.
   */
  async purgeBatch(retentionDays: number, batch: number): Promise<number | undefined> {
    return this.db.$transaction(async (tx) => {
      // Raw: an advisory lock, and a purge bounded by the snapshot's xmin, beyond Prisma's API.
      const [{ locked }] = await tx.$queryRaw<
        Array<{ locked: boolean }>
      >`SELECT pg_try_advisory_xact_lock(${RETENTION_LOCK}::bigint) AS locked`;
      if (!locked) return undefined;
      const [{ deleted }] = await tx.$queryRaw<Array<{ deleted: number }>>`
        WITH head AS (
          SELECT xid, position, occurred_at FROM events
          WHERE xid < (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint
          ORDER BY xid, position LIMIT ${batch}::int
        ), kept AS (
          SELECT xid, position FROM head WHERE occurred_at >= now() - ${retentionDays}::int * interval '1 day'
          ORDER BY xid, position LIMIT 1
        ), doomed AS (
          SELECT h.xid, h.position FROM head h
          WHERE NOT EXISTS (SELECT 1 FROM kept k WHERE (h.xid, h.position) >= (k.xid, k.position))
        ), gone AS (
          DELETE FROM events e USING doomed d WHERE e.xid = d.xid AND e.position = d.position RETURNING e.xid, e.position
        ), newest AS (
          SELECT xid, position FROM gone ORDER BY xid DESC, position DESC LIMIT 1
        ), moved AS (
          UPDATE event_horizon h SET xid = newest.xid, position = newest.position FROM newest WHERE h.id = 1 RETURNING h.id
        )
        SELECT (SELECT count(*) FROM gone)::int AS deleted, (SELECT count(*) FROM moved)::int AS moved`;
      return deleted;
    });
  }
}
