import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { KeysetPosition } from '../api/cursor';
import type { AuditActor } from '../api/actor';
import { AuditAction, AuditEntry, AuditTarget, AuditTransaction } from './audit-entry';
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
        callerRequestId: entry.callerRequestId,
        remoteAddress: entry.remoteAddress,
      },
    });
  }

  /** Runs `work` in one transaction of the main pool. */
  transaction<T>(work: (tx: AuditTransaction) => Promise<T>): Promise<T> {
    return this.db.$transaction(work);
  }

  /**
   * One record per target, in their order, within `tx`: one statement whatever their number
   * (an array per column), so auditing 10,000 things is still one round trip.
   */
  async insertAll(tx: AuditTransaction, actor: AuditActor, action: AuditAction, targets: readonly AuditTarget[]): Promise<void> {
    const column = (pick: (target: AuditTarget) => string | null | undefined) => targets.map((target) => pick(target) ?? null);
    // Raw: rows from arrays (unnest), which Prisma's createMany would send as one parameter per value.
    await tx.$executeRaw`
      INSERT INTO access_audit (client, action, session_id, encounter_id, kind, request_id, remote_address)
      SELECT ${actor.client}::text, ${action}::text, t.session_id, t.encounter_id, t.kind::"ArtifactKind",
             ${actor.requestId}::text, ${actor.remoteAddress ?? null}::text
      FROM unnest(${column((t) => t.sessionId)}::text[], ${column((t) => t.encounterId)}::text[], ${column((t) => t.kind)}::text[])
           WITH ORDINALITY AS t(session_id, encounter_id, kind, n)
      ORDER BY t.n`;
  }

  /** Up to `limit` records after `after`, newest first by (at, id). */
  async list(filters: AuditFilters, after: KeysetPosition | undefined, limit: number): Promise<AuditRow[]> {
    const rows = await this.db.accessAudit.findMany({
      where: {
        client: filters.client,
        sessionId: filters.sessionId,
        action: filters.action,
        at: filters.since === undefined ? undefined : { gte: new Date(filters.since) },
        // Strictly after the position where the previous page ended (see api/keyset.ts).
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
        previousEncounterId: row.previousEncounterId,
        kind: row.kind,
        subscriptionId: row.subscriptionId,
        requestId: row.requestId,
        callerRequestId: row.callerRequestId,
        remoteAddress: row.remoteAddress,
      },
    }));
  }
}
