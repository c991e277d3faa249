import type { AuditActor } from '../api/actor';

/**
 * What the console shows of features this build may not have (push delivery, retrieval timing).
 * Each is a small interface with a default that says the feature is not there; the module that
 * provides the feature binds its own implementation in ConsoleModule's providers instead.
 */

/** Said by every default below, and shown by the pages as their empty state. */
export const PUSH_NOT_ENABLED = 'push delivery is not enabled in this build';

/** A push subscription as the console lists it: never its secret, never a URL's password. */
export interface ConsoleSubscriptionView {
  id: string;
  url: string;
  types: string[];
  status: 'active' | 'paused' | 'disabled';
  lagEvents: number | null;
  lagSeconds: number | null;
  failingSince: string | null;
  lastAttempt: { at: string; httpStatus: number | null; error: string | null } | null;
}

/** One delivery of a feed event of a session to a subscription. */
export interface ConsolePushDeliveryView {
  subscriptionId: string;
  eventId: string;
  attemptedAt: string;
  httpStatus: number | null;
  error: string | null;
}

/** Thrown by an action the build cannot do; the page says the message (409). */
export class ConsoleActionUnavailable extends Error {}

/**
 * The push subscriptions, for the Subscriptions page, the overview and a session's page. An
 * implementation audits each action with the actor given (`subscription.updated` for pause and
 * resume, `subscription.replayed`, `subscription.secret_rotated`), as the /v1 endpoints do.
 */
export abstract class ConsoleSubscriptions {
  /** Undefined when push delivery works; otherwise why every list is empty and every action refused. */
  abstract readonly unavailable: string | undefined;
  abstract list(): Promise<ConsoleSubscriptionView[]>;
  abstract pause(id: string, actor: AuditActor): Promise<void>;
  abstract resume(id: string, actor: AuditActor): Promise<void>;
  /** `after`: a feed cursor, or `start`. */
  abstract replay(id: string, after: string, actor: AuditActor): Promise<void>;
  /** The new secret, shown once. */
  abstract rotateSecret(id: string, actor: AuditActor): Promise<{ secret: string }>;
  abstract sendTest(id: string, actor: AuditActor): Promise<void>;
  /** The push deliveries of one session's events, in the order they were attempted. */
  abstract deliveriesOfSession(sessionId: string): Promise<ConsolePushDeliveryView[]>;
}

export class PushNotEnabled extends ConsoleSubscriptions {
  readonly unavailable = PUSH_NOT_ENABLED;
  list(): Promise<ConsoleSubscriptionView[]> {
    return Promise.resolve([]);
  }
  deliveriesOfSession(): Promise<ConsolePushDeliveryView[]> {
    return Promise.resolve([]);
  }
  pause(): Promise<void> {
    return refuse();
  }
  resume(): Promise<void> {
    return refuse();
  }
  replay(): Promise<void> {
    return refuse();
  }
  rotateSecret(): Promise<{ secret: string }> {
    return refuse();
  }
  sendTest(): Promise<void> {
    return refuse();
  }
}

function refuse(): Promise<never> {
  return Promise.reject(new ConsoleActionUnavailable(PUSH_NOT_ENABLED));
}

/** How long notes take from the notification to ready, as the overview shows it. */
export interface TimeToNote {
  /** e.g. "p50 1.2 s, p95 4.0 s (last hour)". */
  summary: string;
}

export abstract class ConsoleRetrievalTiming {
  abstract timeToNote(): Promise<TimeToNote | undefined>;
}

/** Until retrieval measures it: the overview says it is not measured. */
export class TimeToNoteNotMeasured extends ConsoleRetrievalTiming {
  timeToNote(): Promise<TimeToNote | undefined> {
    return Promise.resolve(undefined);
  }
}
