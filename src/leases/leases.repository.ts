import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Lease } from './lease';

/**
 * The leases table: every statement that takes, keeps, hands back or forgets a lease. Times are
 * the database's clock, the one every replica shares. Raw SQL throughout: conditional upserts
 * (ON CONFLICT … WHERE) and intervals on now(), which Prisma's API cannot say.
 */
@Injectable()
export class LeasesRepository {
  constructor(private readonly db: PrismaService) {}

  /**
   * Takes the lease when it is free, expired, or already this holder's; each taking bumps the
   * generation, so whatever an earlier holder (or an earlier life of this one) still writes is
   * fenced off. Returns the lease, or undefined when another holder has it.
   */
  async acquire(name: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    const rows = await this.db.$queryRaw<Array<{ generation: bigint }>>`
      INSERT INTO leases AS l (name, holder, generation, expires_at)
      VALUES (${name}, ${holder}, 1, now() + ${ttlMs}::int * interval '1 millisecond')
      ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, generation = l.generation + 1, expires_at = EXCLUDED.expires_at
      WHERE l.expires_at <= now() OR l.holder = EXCLUDED.holder
      RETURNING l.generation`;
    return rows.length > 0 ? { name, holder, generation: rows[0].generation } : undefined;
  }

  /**
   * Extends a lease still held at this generation; returns how long it now has left on the
   * database's clock (ms), or undefined when it was lost.
   */
  async renew(lease: Lease, ttlMs: number): Promise<number | undefined> {
    const rows = await this.db.$queryRaw<Array<{ left_ms: number }>>`
      UPDATE leases SET expires_at = now() + ${ttlMs}::int * interval '1 millisecond'
      WHERE name = ${lease.name} AND holder = ${lease.holder} AND generation = ${lease.generation}
      RETURNING (EXTRACT(EPOCH FROM expires_at - now()) * 1000)::float8 AS left_ms`;
    return rows.length > 0 ? rows[0].left_ms : undefined;
  }

  /** Hands a lease back at once (a clean stop), so another replica need not wait for it to expire. */
  async release(lease: Lease): Promise<void> {
    await this.db.$executeRaw`
      UPDATE leases SET expires_at = now() WHERE name = ${lease.name} AND holder = ${lease.holder} AND generation = ${lease.generation}`;
  }

  /** Forgets the lease of work that no longer exists. */
  async forget(name: string): Promise<void> {
    await this.db.lease.deleteMany({ where: { name } });
  }

  /** Of these names, those whose lease nobody holds now (absent or expired). */
  async free(names: string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const rows = await this.db.$queryRaw<Array<{ name: string }>>`
      SELECT n.name FROM unnest(${names}::text[]) AS n(name)
      WHERE NOT EXISTS (SELECT 1 FROM leases l WHERE l.name = n.name AND l.expires_at > now())`;
    return rows.map((row) => row.name);
  }
}
