import { SessionStatus } from '../../generated/prisma/enums';
import { ArtifactRequest, IntakeRecord, SignedDelivery } from '../intake-record';
import { ParsedNotification, SukiNotification } from '../../suki/notification';
import { sessionStatusPath } from '../../suki/documented-paths';

/**
 * The events a verified delivery can be: a mapped session status, a status we do not know, or
 * a body that cannot be attributed to a session at all (kept verbatim, answered 400).
 */
export type NotificationEvent = SessionStatus | 'unrecognized' | 'rejected';

/** Which event a read body is; the dispatcher picks the handler of that event. */
export function eventOf(parsed: ParsedNotification): NotificationEvent {
  if (!parsed.usable) return 'rejected';
  return parsed.notification.status ?? 'unrecognized';
}

/** What one kind of event means; the dispatcher holds one per event, built by DI. */
export interface NotificationHandler {
  readonly handles: NotificationEvent;
  /**
   * What the notification asks to be written: pure, so that a notification drained from the
   * spool later is rebuilt into exactly the record it would have been at arrival.
   */
  toRecord(delivery: SignedDelivery, parsed: ParsedNotification): IntakeRecord;
}

export const NOTIFICATION_HANDLERS = Symbol('NOTIFICATION_HANDLERS');

/** The only fields in which one attributed event's record differs from another's. */
export type EventMeaning = Partial<Pick<IntakeRecord, 'sessionStatus' | 'errorCode' | 'errorDetail' | 'knownSessions' | 'artifacts'>>;

/**
 * An event of an attributed notification: the shared shape of its record is written here once,
 * and each event says only what it adds (`meaning`).
 */
export abstract class SessionEventHandler implements NotificationHandler {
  abstract readonly handles: SessionStatus | 'unrecognized';

  protected abstract meaning(notification: SukiNotification): EventMeaning;

  toRecord(delivery: SignedDelivery, parsed: ParsedNotification): IntakeRecord {
    // The dispatcher routes by eventOf, so this is a wiring error, not bad input.
    if (!parsed.usable) throw new Error(`the ${this.handles} handler was given an unattributable body`);
    return { ...baseRecord(delivery, parsed.notification), ...this.meaning(parsed.notification) };
  }
}

/** The part of an intake record every attributed event shares. */
export function baseRecord(delivery: SignedDelivery, notification: SukiNotification): IntakeRecord {
  return {
    delivery,
    sessionId: notification.sessionId,
    encounterId: notification.encounterId,
    vendorStatus: notification.vendorStatus,
    sessionStatus: notification.status,
    additionalInfo: notification.additionalInfo,
    links: notification.storedLinks,
    knownSessions: [],
    artifacts: [],
  };
}

/**
 * A single status check of the session (Suki's documented status endpoint), for outcomes that
 * are not final on their own: timeouts, cancellations and statuses we do not recognise.
 */
export function statusCheck(sessionId: string): ArtifactRequest {
  return {
    kind: 'status',
    ownerId: sessionId,
    sessionId,
    href: sessionStatusPath(sessionId),
  };
}

/** The meaning shared by outcomes Suki's status endpoint must confirm. */
export function confirmedByStatusCheck(notification: SukiNotification): EventMeaning {
  return { artifacts: [statusCheck(notification.sessionId)] };
}
