import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { KeysetPosition } from '../query/cursor';
import { AuditEntry } from './audit-entry';
import { AuditItemOutput } from './audit.output';

/** A record as listed, with the id its page position needs (not shown: the order is by time). */
export interface AuditRow {
  id: string;
  item: AuditItemOutput;
}

export interface AuditFilters {
  client?: string;
  sessionId?: string;
  action?: string;
  /** ISO-8601 instant. */
  since?: string;
}

/**
 * The access audit table. Only ever inserted into and read: the database refuses anything
 * else (see the migration's trigger). Written through the main pool, the one every write uses.
 */
@Injectable()
export class AuditRepository {
  constructor(private readonly db: PrismaService) {}

  async insert(entry: AuditEntry): Promise<void> {
    await this.db.accessAudit.create({
      data: {
        client: entry.client,
        action: entry.action,
        sessionId: entry.sessionId,
        encounterId: entry.encounterId,
        kind: entry.kind,
        subscriptionId: entry.subscriptionId,
        requestId: entry.requestId,
        remoteAddress: entry.remoteAddress,
      },
    });
  }

  /** Up to `limit` records after `after`, newest first by (at, id). */
  async list(filters: AuditFilters, after: KeysetPosition | undefined, limit: number): Promise<AuditRow[]> {
    const rows = await this.db.accessAudit.findMany({
      where: {
        client: filters.client,
        sessionId: filters.sessionId,
        action: filters.action,
        at: filters.since === undefined ? undefined : { gte: new Date(filters.since) },
        // Strictly after the position where the previous page ended (see query/keyset.ts).
        OR: after ? [{ at: { lt: after.updatedAt } }, { at: after.updatedAt, id: { lt: BigInt(after.id) } }] : undefined,
      },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    return rows.map((row) => ({
      id: row.id.toString(),
      item: {
        at: row.at.toISOString(),
        client: row.client,
        action: row.action,
        sessionId: row.sessionId,
        encounterId: row.encounterId,
        kind: row.kind,
        subscriptionId: row.subscriptionId,
        requestId: row.requestId,
        remoteAddress: row.remoteAddress,
      },
    }));
  }
}
