import { Injectable } from '@nestjs/common';
import type { AuditAction } from '../audit/audit-entry';
import type { AuditActor } from '../api/actor';
import { OperationsDatabase } from '../database/operations-database';
import { PrismaService } from '../database/prisma.service';
import { FeedPosition } from '../events/event-cursor';
import { Prisma } from '../generated/prisma/client';
import { SubscriptionStatus } from '../generated/prisma/enums';
import { KeysetPosition } from '../api/cursor';
import { AttemptRecord } from './dispatch.repository';

/** A subscription with what its view needs (never the secret). */
export interface SubscriptionRow {
  id: string;
  url: string;
  types: string[];
  status: SubscriptionStatus;
  description: string | null;
  maxInFlight: number;
  cursor: FeedPosition;
  lagEvents: number;
  lagSeconds: number;
  failingSince: Date | null;
  lastAttemptAt: Date | null;
  lastAttemptStatus: number | null;
  lastAttemptError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SubscriptionLag {
  id: string;
  status: SubscriptionStatus;
  lagEvents: number;
  lagSeconds: number;
}

export interface NewSubscription {
  id: string;
  url: string;
  types: string[];
  description?: string;
  maxInFlight: number;
  cursor: FeedPosition;
  sealedSecret: string;
}

export interface SubscriptionChanges {
  url?: string;
  types?: string[];
  status?: 'active' | 'paused';
  maxInFlight?: number;
}

/** Lag counts stop here: past it, the figure only says "very far behind". */
const LAG_COUNT_LIMIT = 100_000;

// Raw: the lag is a bounded count over the feed after each cursor (a LATERAL subquery with a
// row comparison on the feed's primary key), on the database's clock; Prisma's API has neither.
const VIEW = `
  SELECT s.id, s.url, s.types, s.status, s.description, s.max_in_flight, s.cursor_xid::text, s.cursor_position::text,
         lag.events AS lag_events, lag.seconds AS lag_seconds, s.failing_since, s.last_attempt_at, s.last_attempt_status,
         s.last_attempt_error, s.created_at, s.updated_at
  FROM subscriptions s
  LEFT JOIN LATERAL (
    SELECT count(*)::int AS events, COALESCE(EXTRACT(EPOCH FROM now() - min(occurred_at)), 0)::float8 AS seconds
    FROM (SELECT e.occurred_at FROM events e
          WHERE (e.xid, e.position) > (s.cursor_xid, s.cursor_position) AND (COALESCE(cardinality(s.types), 0) = 0 OR e.type = ANY(s.types))
          ORDER BY e.xid, e.position LIMIT ${LAG_COUNT_LIMIT}) behind
  ) lag ON true`;

interface ViewRow {
  id: string;
  url: string;
  types: string[] | null;
  status: SubscriptionStatus;
  description: string | null;
  max_in_flight: number;
  cursor_xid: string;
  cursor_position: string;
  lag_events: number;
  lag_seconds: number;
  failing_since: Date | null;
  last_attempt_at: Date | null;
  last_attempt_status: number | null;
  last_attempt_error: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * The subscriptions table as the API changes it. Every change is committed in one transaction
 * with its audit record (the access_audit columns AuditRepository writes; the table is
 * append-only), so no change is ever unaudited.
 */
@Injectable()
export class SubscriptionsRepository {
  constructor(
    private readonly db: PrismaService,
    private readonly operations: OperationsDatabase,
  ) {}

  async create(subscription: NewSubscription, actor: AuditActor): Promise<SubscriptionRow> {
    await this.db.$transaction([
      this.db.subscription.create({
        data: {
          id: subscription.id,
          url: subscription.url,
          types: subscription.types,
          description: subscription.description,
          maxInFlight: subscription.maxInFlight,
          cursorXid: subscription.cursor.xid,
          cursorPosition: subscription.cursor.position,
          secret: subscription.sealedSecret,
        },
      }),
      this.audit(actor, 'subscription.created', subscription.id),
    ]);
    return (await this.view(subscription.id))!;
  }

  async view(id: string): Promise<SubscriptionRow | undefined> {
    const rows = await this.db.$queryRawUnsafe<ViewRow[]>(`${VIEW} WHERE s.id = $1`, id);
    return rows.length > 0 ? toRow(rows[0]) : undefined;
  }

  /** Up to `limit` subscriptions after `after`, newest first by (created_at, id). */
  async list(after: KeysetPosition | undefined, limit: number): Promise<SubscriptionRow[]> {
    const rows = after
      ? await this.db.$queryRawUnsafe<ViewRow[]>(
          `${VIEW} WHERE (s.created_at, s.id) < ($1::timestamptz, $2) ORDER BY s.created_at DESC, s.id DESC LIMIT $3`,
          after.updatedAt,
          after.id,
          limit,
        )
      : await this.db.$queryRawUnsafe<ViewRow[]>(`${VIEW} ORDER BY s.created_at DESC, s.id DESC LIMIT $1`, limit);
    return rows.map(toRow);
  }

  /** For /metrics: over the operations pool, so that a scrape never takes one of intake's connections. */
  async lags(): Promise<SubscriptionLag[]> {
    const rows = await this.operations.rows<ViewRow>(VIEW);
    return rows.map((row) => ({ id: row.id, status: row.status, lagEvents: row.lag_events, lagSeconds: row.lag_seconds }));
  }

  /**
   * Applies changes; new types restart dispatch from the cursor (epoch), and becoming active
   * again forgets the failing state (else it would be disabled again at once). Undefined when unknown.
   */
  async update(id: string, changes: SubscriptionChanges, actor: AuditActor): Promise<SubscriptionRow | undefined> {
    const data: Prisma.SubscriptionUpdateManyMutationInput = {
      url: changes.url,
      types: changes.types,
      status: changes.status,
      maxInFlight: changes.maxInFlight,
      version: { increment: 1 },
      updatedAt: new Date(),
    };
    if (changes.types) data.epoch = { increment: 1 };
    if (changes.status === 'active') data.failingSince = null;
    const [updated] = await this.db.$transaction([
      this.db.subscription.updateMany({ where: { id }, data }),
      this.audit(actor, 'subscription.updated', id),
    ]);
    return updated.count > 0 ? this.view(id) : undefined;
  }

  async delete(id: string, actor: AuditActor): Promise<boolean> {
    const [deleted] = await this.db.$transaction([
      this.db.subscription.deleteMany({ where: { id } }),
      this.audit(actor, 'subscription.deleted', id),
    ]);
    return deleted.count > 0;
  }

  /** Swaps in a new sealed secret; the current one keeps signing until `previousUntil`. */
  async rotate(
    id: string,
    sealed: (current: string) => { secret: string; previous: string },
    previousUntil: Date,
    actor: AuditActor,
  ): Promise<boolean> {
    const current = await this.db.subscription.findUnique({ where: { id }, select: { secret: true } });
    if (!current) return false;
    const next = sealed(current.secret);
    const [updated] = await this.db.$transaction([
      this.db.subscription.updateMany({
        where: { id, secret: current.secret },
        data: {
          secret: next.secret,
          previousSecret: next.previous,
          previousSecretUntil: previousUntil,
          version: { increment: 1 },
          updatedAt: new Date(),
        },
      }),
      this.audit(actor, 'subscription.secret_rotated', id),
    ]);
    return updated.count > 0;
  }

  /** Moves the cursor back (or anywhere) and starts dispatch over from it. */
  async replay(id: string, cursor: FeedPosition, actor: AuditActor): Promise<boolean> {
    const [updated] = await this.db.$transaction([
      this.db.subscription.updateMany({
        where: { id },
        data: {
          cursorXid: cursor.xid,
          cursorPosition: cursor.position,
          epoch: { increment: 1 },
          version: { increment: 1 },
          updatedAt: new Date(),
        },
      }),
      this.db.subscriptionSettled.deleteMany({ where: { subscriptionId: id } }),
      this.audit(actor, 'subscription.replayed', id),
    ]);
    return updated.count > 0;
  }

  /** The sealed secrets that sign now (for a ping sent by this replica). */
  async secrets(
    id: string,
  ): Promise<{ url: string; secret: string; previousSecret: string | null; previousSecretUntil: Date | null } | undefined> {
    const row = await this.db.subscription.findUnique({
      where: { id },
      select: { url: true, secret: true, previousSecret: true, previousSecretUntil: true },
    });
    return row ?? undefined;
  }

  async recordAttempt(id: string, attempt: AttemptRecord): Promise<void> {
    await this.db.subscriptionAttempt.createMany({ data: [{ subscriptionId: id, ...attempt }] });
  }

  async attempts(id: string, after: KeysetPosition | undefined, limit: number): Promise<Array<AttemptRecord & { id: string }>> {
    const rows = await this.db.subscriptionAttempt.findMany({
      where: {
        subscriptionId: id,
        // Strictly after the position where the previous page ended (see query/keyset.ts).
        OR: after ? [{ attemptedAt: { lt: after.updatedAt } }, { attemptedAt: after.updatedAt, id: { lt: BigInt(after.id) } }] : undefined,
      },
      orderBy: [{ attemptedAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    return rows.map((row) => ({ ...row, id: row.id.toString() }));
  }

  /** The attempts to deliver the events of one session, oldest first, at most `limit`. */
  async attemptsOfSession(sessionId: string, limit: number): Promise<Array<Omit<AttemptRecord, 'sessionId'> & { subscriptionId: string }>> {
    return this.db.subscriptionAttempt.findMany({
      where: { sessionId },
      orderBy: [{ attemptedAt: 'asc' }, { id: 'asc' }],
      take: limit,
      select: { subscriptionId: true, eventId: true, attemptedAt: true, httpStatus: true, durationMs: true, error: true },
    });
  }

  async exists(id: string): Promise<boolean> {
    return (await this.db.subscription.count({ where: { id } })) > 0;
  }

  /** Attempts older than the feed keeps its events. */
  async purgeAttempts(retentionDays: number): Promise<number> {
    const { count } = await this.db.subscriptionAttempt.deleteMany({
      where: { attemptedAt: { lt: new Date(Date.now() - retentionDays * 86_400_000) } },
    });
    return count;
  }

  private audit(actor: AuditActor, action: AuditAction, subscriptionId: string) {
    return this.db.accessAudit.create({
      data: { client: actor.client, action, subscriptionId, requestId: actor.requestId, remoteAddress: actor.remoteAddress },
    });
  }
}

function toRow(row: ViewRow): SubscriptionRow {
  return {
    id: row.id,
    url: row.url,
    types: row.types ?? [],
    status: row.status,
    description: row.description,
    maxInFlight: row.max_in_flight,
    cursor: { xid: BigInt(row.cursor_xid), position: BigInt(row.cursor_position) },
    lagEvents: row.lag_events,
    lagSeconds: row.lag_seconds,
    failingSince: row.failing_since,
    lastAttemptAt: row.last_attempt_at,
    lastAttemptStatus: row.last_attempt_status,
    lastAttemptError: row.last_attempt_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
