import { BadRequestException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AuditActor } from '../api/actor';
import { describeError } from '../common/http-error';
import { AppConfig } from '../config/app-config';
import { decodeFeedCursor, encodeFeedCursor, FeedPosition, ORIGIN } from '../events/event-cursor';
import { EVENT_TYPES } from '../events/event-types';
import { FeedReader } from '../events/feed-reader';
import { LeasesRepository } from '../leases/leases.repository';
import { readCursor, toPage } from '../api/keyset';
import { hostAllowed } from './allowed-hosts';
import { DeliveryClient } from './delivery.client';
import { signDelivery } from './delivery-signer';
import { leaseName, PushDispatcher } from './push.dispatcher';
import { newSigningSecret, SecretBox } from './secret-box';
import { CreateSubscriptionInput, DEFAULT_MAX_IN_FLIGHT, UpdateSubscriptionInput } from './subscription.input';
import { AttemptPageOutput, CreatedSubscriptionOutput, SubscriptionOutput, SubscriptionPageOutput } from './subscription.output';
import { SubscriptionRow, SubscriptionsRepository } from './subscriptions.repository';

/** One attempt to deliver an event of a session. */
export interface SessionAttempt {
  subscriptionId: string;
  eventId: string;
  attemptedAt: string;
  httpStatus: number | null;
  durationMs: number;
  error: string | null;
}

/** What the /v1/subscriptions routes and the console's Subscriptions page do; the controllers only wire them. */
@Injectable()
export class SubscriptionsService {
  private readonly logger = new Logger(SubscriptionsService.name);

  constructor(
    private readonly repository: SubscriptionsRepository,
    private readonly feed: FeedReader,
    private readonly box: SecretBox,
    private readonly client: DeliveryClient,
    private readonly dispatcher: PushDispatcher,
    private readonly leases: LeasesRepository,
    private readonly config: AppConfig,
  ) {}

  async create(input: CreateSubscriptionInput, actor: AuditActor): Promise<CreatedSubscriptionOutput> {
    const url = this.checkedUrl(input.url);
    const types = checkedTypes(input.types);
    const cursor = await this.position(input.after ?? 'now', true);
    const id = randomUUID();
    const secret = newSigningSecret();
    const row = await this.repository.create(
      {
        id,
        url,
        types,
        description: input.description,
        maxInFlight: input.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
        cursor,
        sealedSecret: this.box.seal(secret, id),
      },
      actor,
    );
    this.dispatcher.poke();
    return {
      id,
      url: shownUrl(url),
      types: row.types.length > 0 ? row.types : null,
      status: 'active',
      secret,
      cursor: encodeFeedCursor(cursor),
      createdAt: row.createdAt.toISOString(),
    };
  }

  async get(id: string): Promise<SubscriptionOutput> {
    return view(await this.found(this.repository.view(id)));
  }

  async list(limit: number, cursor: string | undefined): Promise<SubscriptionPageOutput> {
    const scope = 'subscriptions';
    const rows = await this.repository.list(readCursor(cursor, scope), limit + 1);
    const page = toPage(rows, limit, scope, (row) => ({ updatedAt: row.createdAt, id: row.id }));
    return { items: page.items.map(view), nextCursor: page.nextCursor };
  }

  async update(id: string, input: UpdateSubscriptionInput, actor: AuditActor): Promise<SubscriptionOutput> {
    await this.found(this.repository.exists(id));
    const changes = {
      url: input.url === undefined ? undefined : this.checkedUrl(input.url),
      types: input.types === undefined ? undefined : checkedTypes(input.types),
      status: input.status,
      maxInFlight: input.maxInFlight,
    };
    const row = await this.found(this.repository.update(id, changes, actor));
    if (input.status === 'active') this.dispatcher.poke();
    return view(row);
  }

  async delete(id: string, actor: AuditActor): Promise<void> {
    await this.found(this.repository.exists(id));
    await this.repository.delete(id, actor);
    // Its dispatcher stops at its next check; the lease row of work that is gone goes too.
    await this.leases.forget(leaseName(id));
  }

  async rotate(id: string, actor: AuditActor): Promise<string> {
    await this.found(this.repository.exists(id));
    const secret = newSigningSecret();
    const until = new Date(Date.now() + this.config.push.secretOverlapMs);
    const rotated = await this.repository.rotate(id, (current) => ({ secret: this.box.seal(secret, id), previous: current }), until, actor);
    if (!rotated) throw new NotFoundException('no such subscription (or it was rotated at the same moment: try again)');
    return secret;
  }

  async replay(id: string, after: string, actor: AuditActor): Promise<string> {
    await this.found(this.repository.exists(id));
    const cursor = await this.position(after, false);
    await this.found(this.repository.replay(id, cursor, actor));
    this.dispatcher.poke();
    return encodeFeedCursor(cursor);
  }

  /** Sends one ping from this replica, outside the feed's order; answers before it is sent. */
  async test(id: string): Promise<string> {
    const target = await this.found(this.repository.secrets(id));
    const eventId = `ping_${randomUUID()}`;
    const at = new Date();
    const body = JSON.stringify({ id: eventId, type: 'ping', occurredAt: at.toISOString() });
    const secrets = [this.box.open(target.secret, id)];
    if (target.previousSecret && target.previousSecretUntil && target.previousSecretUntil > at)
      secrets.push(this.box.open(target.previousSecret, id));
    void this.client
      .post(target.url, body, { ...signDelivery(eventId, body, secrets, at) })
      .then((outcome) =>
        this.repository.recordAttempt(id, {
          eventId,
          sessionId: null,
          attemptedAt: at,
          httpStatus: outcome.httpStatus ?? null,
          durationMs: outcome.durationMs,
          error: outcome.error ?? null,
        }),
      )
      .catch((error: unknown) => this.logger.warn(`ping of subscription ${id} not recorded (${describeError(error)})`));
    return eventId;
  }

  async attempts(id: string, limit: number, cursor: string | undefined): Promise<AttemptPageOutput> {
    await this.found(this.repository.exists(id));
    const scope = `subscription-attempts:${id}`;
    const rows = await this.repository.attempts(id, readCursor(cursor, scope), limit + 1);
    const page = toPage(rows, limit, scope, (row) => ({ updatedAt: row.attemptedAt, id: row.id }));
    return {
      items: page.items.map((row) => ({
        eventId: row.eventId,
        attemptedAt: row.attemptedAt.toISOString(),
        httpStatus: row.httpStatus,
        durationMs: row.durationMs,
        error: row.error,
      })),
      nextCursor: page.nextCursor,
    };
  }

  /** The attempts to deliver one session's feed events, oldest first, at most `limit`. */
  async attemptsOfSession(sessionId: string, limit: number): Promise<SessionAttempt[]> {
    const rows = await this.repository.attemptsOfSession(sessionId, limit);
    return rows.map((row) => ({ ...row, attemptedAt: row.attemptedAt.toISOString() }));
  }

  private async found<T>(value: Promise<T | undefined | false>): Promise<T> {
    const found = await value;
    if (found === undefined || found === false) throw new NotFoundException('no such subscription');
    return found;
  }

  /** https (http too outside production), on an allowed host; else 400 (the URL is not repeated: it may hold credentials). */
  private checkedUrl(raw: string): string {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new BadRequestException('url must be an absolute http(s) URL');
    }
    const protocols = this.config.production ? ['https:'] : ['https:', 'http:'];
    if (!protocols.includes(url.protocol))
      throw new BadRequestException(`url must use ${protocols.map((p) => p.slice(0, -1)).join(' or ')}`);
    if (!hostAllowed(url.hostname, this.config.push.allowedHosts))
      throw new BadRequestException(`url's host ${url.hostname} is not in PUSH_ALLOWED_HOSTS`);
    url.hash = '';
    return url.toString();
  }

  /** A feed position: now (the current frontier), start, or a cursor; else 400. */
  private async position(after: string, nowAllowed: boolean): Promise<FeedPosition> {
    if (after === 'start') return ORIGIN;
    if (after === 'now' && nowAllowed) return this.feed.now();
    const at = decodeFeedCursor(after);
    if (!at) throw new BadRequestException(`after must be ${nowAllowed ? 'now, ' : ''}start or a cursor issued by this service`);
    return at;
  }
}

function checkedTypes(types: string[] | undefined): string[] {
  if (!types || types.length === 0) return [];
  const unknown = types.filter((type) => !EVENT_TYPES.includes(type));
  if (unknown.length > 0) throw new BadRequestException(`types must name only: ${EVENT_TYPES.join(', ')}`);
  return [...new Set(types)];
}

/** The URL as shown: never its password. */
export function shownUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

function view(row: SubscriptionRow): SubscriptionOutput {
  return {
    id: row.id,
    url: shownUrl(row.url),
    types: row.types.length > 0 ? row.types : null,
    status: row.status,
    description: row.description,
    maxInFlight: row.maxInFlight,
    cursor: encodeFeedCursor(row.cursor),
    lagEvents: row.lagEvents,
    lagSeconds: Math.round(row.lagSeconds * 1000) / 1000,
    failingSince: row.failingSince?.toISOString() ?? null,
    lastAttempt: row.lastAttemptAt
      ? { at: row.lastAttemptAt.toISOString(), httpStatus: row.lastAttemptStatus, error: row.lastAttemptError }
      : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
