import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { PrismaService } from '../database/prisma.service';

/** What one purge did: rows whose content it set to null, per table. */
export interface PurgeCounts {
  artifacts: number;
  deliveries: number;
}

export type PurgeTable = keyof PurgeCounts;

// A key of its own (the migrator's is Prisma's 72707369): held while one replica purges.
export const RETENTION_LOCK = 7_305_246_071;

// What is purged of each table, and the instant that ages it: when the note was fetched,
// when the notification arrived. Ids, states, timelines and digests stay.
const PURGES: Record<PurgeTable, { clear: string; age: string; held: string }> = {
  artifacts: { clear: 'data = NULL', age: 'fetched_at', held: 'data IS NOT NULL' },
  deliveries: { clear: 'raw_body = NULL', age: 'received_at', held: 'raw_body IS NOT NULL' },
};

/**
 * Purges note content and raw notification bodies older than a cutoff, in batches of their own
 * transactions (a large purge never holds many row locks for long), walking each table once
 * by id. SKIP LOCKED passes over rows a retrieval holds; they are purged on the next run.
 */
@Injectable()
export class RetentionRepository {
  constructor(private readonly db: PrismaService) {}

  /**
   * Runs `work` while holding the retention lock, on one connection of the main pool; resolves
   * to undefined without running it when another replica holds the lock.
   */
  async whileLocked<T>(work: (client: PoolClient) => Promise<T>): Promise<T | undefined> {
    // Raw pg on one pooled connection: a session-level advisory lock held across many
    // transactions, which Prisma (a connection per call) cannot pin. The last raw pool use outside src/database/.
    const client = await this.db.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [RETENTION_LOCK]);
      if (!rows[0]?.locked) return undefined;
      try {
        return await work(client);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1::bigint)', [RETENTION_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  /** One batch of up to `limit` rows of `table` with an id above `afterId`; the ids purged, ascending. */
  async purgeBatch(client: PoolClient, table: PurgeTable, cutoff: Date, afterId: string, limit: number): Promise<string[]> {
    const { clear, age, held } = PURGES[table];
    const { rows } = await client.query<{ id: string }>(
      `WITH batch AS (
         SELECT id FROM ${table} WHERE id > $1::bigint AND ${age} < $2::timestamptz AND ${held}
         ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED
       )
       UPDATE ${table} t SET ${clear}, purged_at = now() FROM batch WHERE t.id = batch.id
       RETURNING t.id::text AS id`,
      [afterId, cutoff.toISOString(), limit],
    );
    return rows.map((row) => row.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  }
}
