import { Injectable } from '@nestjs/common';
import type { AuditActor } from '../api/actor';
import type { SubscriptionOutput } from '../push/subscription.output';
import { SubscriptionsService } from '../push/subscriptions.service';
import { ConsolePushDeliveryView, ConsoleSubscriptions, ConsoleSubscriptionView } from './console-providers';
import { PAGE_ROWS } from './console.repository';

/**
 * The console's push subscriptions: the push module's own service, called as /v1 calls it, so
 * every check and audit record is the same (the service writes the audit in the change's
 * transaction). With PUSH_ENABLED=false a replica only stops dispatching: subscriptions are
 * still listed and managed here, and another replica delivers.
 */
@Injectable()
export class PushSubscriptions extends ConsoleSubscriptions {
  constructor(private readonly subscriptions: SubscriptionsService) {
    super();
  }

  /** The newest PAGE_ROWS subscriptions (a deployment has a handful). */
  async list(): Promise<ConsoleSubscriptionView[]> {
    const page = await this.subscriptions.list(PAGE_ROWS, undefined);
    return page.items.map(toView);
  }

  async pause(id: string, actor: AuditActor): Promise<void> {
    await this.subscriptions.update(id, { status: 'paused' }, actor);
  }

  async resume(id: string, actor: AuditActor): Promise<void> {
    await this.subscriptions.update(id, { status: 'active' }, actor);
  }

  async replay(id: string, after: string, actor: AuditActor): Promise<void> {
    await this.subscriptions.replay(id, after, actor);
  }

  async rotateSecret(id: string, actor: AuditActor): Promise<{ secret: string }> {
    return { secret: await this.subscriptions.rotate(id, actor) };
  }

  async sendTest(id: string): Promise<void> {
    await this.subscriptions.test(id);
  }

  async deliveriesOfSession(sessionId: string): Promise<ConsolePushDeliveryView[]> {
    const attempts = await this.subscriptions.attemptsOfSession(sessionId, 2 * PAGE_ROWS);
    return attempts.map(({ subscriptionId, eventId, attemptedAt, httpStatus, error }) => ({
      subscriptionId,
      eventId,
      attemptedAt,
      httpStatus,
      error,
    }));
  }
}

/** The URL is already shown without its password (SubscriptionsService); the secret is never in an output. */
function toView(s: SubscriptionOutput): ConsoleSubscriptionView {
  return {
    id: s.id,
    url: s.url,
    types: s.types ?? [],
    status: s.status,
    lagEvents: s.lagEvents,
    lagSeconds: s.lagSeconds,
    failingSince: s.failingSince,
    lastAttempt: s.lastAttempt,
  };
}
