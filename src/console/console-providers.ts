import type { AuditActor } from '../api/actor';

/**
 * What the console shows of push delivery and retrieval timing, each as a small abstract class:
 * the pages depend on these alone, ConsoleModule binds the implementations (push-subscriptions.ts
 * over the push module's service, time-to-note.ts over the database), and a test may swap one.
 */

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

/**
 * The push subscriptions, for the Subscriptions page, the overview and a session's page. An
 * implementation audits each action with the actor given (`subscription.updated` for pause and
 * resume, `subscription.replayed`, `subscription.secret_rotated`), as the /v1 endpoints do; a
 * test ping is not audited, as POST /v1/subscriptions/{id}/test is not.
 */
export abstract class ConsoleSubscriptions {
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

/** How long notes take from the notification's acknowledgement to ready, as the overview shows it. */
export interface TimeToNote {
  /** e.g. "p50 1.2 s, p95 4.0 s over 37 notes (last hour)". */
  summary: string;
}

export abstract class ConsoleRetrievalTiming {
  /** Over the notes of the last hour, cluster-wide; undefined when no note became ready in it. */
  abstract timeToNote(): Promise<TimeToNote | undefined>;
}
