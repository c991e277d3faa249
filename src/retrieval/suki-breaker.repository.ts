import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import { MAX_RETRY_AFTER_MS } from './backoff';

/** The cluster's breaker as the database holds it, with its times as delays from the database's now(). */
export interface BreakerRow {
  open: boolean;
  /** While open: until the next probe may go (0: now). */
  probeInMs: number;
  /** A probe is under way (its lease has not run out). */
  probing: boolean;
  /** Until the pause a Retry-After asked for ends (0: none). */
  pausedMs: number;
}

export interface ProbeSchedule {
  probeBaseMs: number;
  probeMaxMs: number;
}

/**
 * The fence of the one probe: every write a probe's outcome makes requires the lease it took to
 * still be the breaker's, so a prober whose lease ran out (and was taken over) changes nothing.
 */
export function heldProbe(token: string): Prisma.Sql {
  return Prisma.sql`probe_until = ${token}::timestamptz`;
}

/**
 * The gate every claim passes (WorkQueue.claim, from the retrieval worker): no replica takes work while a
 * Retry-After pause lasts, nor while the breaker is open unless it holds the probe.
 */
export function sukiGateOpen(probe: boolean): Prisma.Sql {
  return Prisma.sql`NOT EXISTS (SELECT 1 FROM suki_breaker WHERE paused_until > now() OR (open AND NOT ${probe}::boolean))`;
}

/**
 * The wait before the next probe after `failed` failed probes: base·2^failed capped at max, with
 * equal jitter (never sooner than half: it is the only call; spread so replicas do not agree on
 * an instant), or a Retry-After when that asks for longer (capped at max too).
 */
function probeWait(failed: Prisma.Sql, schedule: ProbeSchedule, retryAfterMs: number | undefined): Prisma.Sql {
  const asked = Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS, schedule.probeMaxMs);
  return Prisma.sql`GREATEST(${asked}::float8,
    LEAST(${schedule.probeMaxMs}::float8, ${schedule.probeBaseMs}::float8 * power(2, LEAST(${failed}, 30))) * (0.5 + random() / 2))
    * interval '1 millisecond'`;
}

/** The one row of suki_breaker (migration 20261212000000_time_to_note). Raw: every time is the database's now(). */
@Injectable()
export class SukiBreakerRepository {
  constructor(private readonly db: PrismaService) {}

  async read(): Promise<BreakerRow> {
    const [row] = await this.db.$queryRaw<BreakerRow[]>`
      SELECT open, ${ms('probe_at')} AS "probeInMs", COALESCE(probe_until > now(), false) AS probing, ${ms('paused_until')} AS "pausedMs"
      FROM suki_breaker WHERE id = 1`;
    return row ?? { open: false, probeInMs: 0, probing: false, pausedMs: 0 };
  }

  /** Opens the breaker unless it is open already; true when this call opened it. */
  async open(schedule: ProbeSchedule, retryAfterMs: number | undefined): Promise<boolean> {
    const opened = await this.db.$executeRaw`
      UPDATE suki_breaker
      SET open = true, failed_probes = 0, probe_at = now() + ${probeWait(Prisma.sql`0`, schedule, retryAfterMs)},
          probe_until = NULL, opened_at = now(), updated_at = now()
      WHERE id = 1 AND NOT open`;
    return opened > 0;
  }

  /** Takes the one probe of the cluster when it is due and nobody holds it; its lease token, or undefined. */
  async takeProbe(leaseMs: number): Promise<string | undefined> {
    const [row] = await this.db.$queryRaw<Array<{ token: string }>>`
      UPDATE suki_breaker SET probe_until = now() + ${leaseMs}::float8 * interval '1 millisecond', updated_at = now()
      WHERE id = 1 AND open AND probe_at <= now() AND (probe_until IS NULL OR probe_until <= now())
        AND (paused_until IS NULL OR paused_until <= now())
      RETURNING probe_until::text AS token`;
    return row?.token;
  }

  /** The probe failed: the next one waits twice as long. */
  async probeFailed(token: string, schedule: ProbeSchedule, retryAfterMs: number | undefined): Promise<void> {
    await this.db.$executeRaw`
      UPDATE suki_breaker
      SET probe_until = NULL, failed_probes = failed_probes + 1,
          probe_at = now() + ${probeWait(Prisma.sql`failed_probes + 1`, schedule, retryAfterMs)}, updated_at = now()
      WHERE id = 1 AND ${heldProbe(token)}`;
  }

  /** The probe came to no verdict (no call made, a shutdown): another may go at once. */
  async releaseProbe(token: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE suki_breaker SET probe_until = NULL, probe_at = now(), updated_at = now() WHERE id = 1 AND ${heldProbe(token)}`;
  }

  /** Suki answered: closes the breaker; how long it was open (ms) when this call closed it. */
  async close(): Promise<number | undefined> {
    const [row] = await this.db.$queryRaw<Array<{ openMs: number }>>`
      UPDATE suki_breaker SET open = false, failed_probes = 0, probe_at = NULL, probe_until = NULL, updated_at = now()
      WHERE id = 1 AND open
      RETURNING GREATEST(0, EXTRACT(EPOCH FROM now() - opened_at) * 1000)::float8 AS "openMs"`;
    return row?.openMs;
  }

  /**
   * A Retry-After: no replica calls Suki for `pauseMs` (a longer pause already set stays). How
   * long the cluster's pause now lasts (ms): later than asked when this write waited behind
   * others, or a longer pause was set.
   */
  async pause(pauseMs: number): Promise<number | undefined> {
    const [row] = await this.db.$queryRaw<Array<{ pausedMs: number }>>`
      UPDATE suki_breaker
      SET paused_until = GREATEST(COALESCE(paused_until, now()), now() + ${pauseMs}::float8 * interval '1 millisecond'), updated_at = now()
      WHERE id = 1
      RETURNING ${ms('paused_until')} AS "pausedMs"`;
    return row?.pausedMs;
  }
}

function ms(column: string): Prisma.Sql {
  return Prisma.raw(`GREATEST(0, COALESCE(EXTRACT(EPOCH FROM ${column} - now()) * 1000, 0))::float8`);
}
