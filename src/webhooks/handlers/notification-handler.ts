import { SessionStatus } from '../../generated/prisma/enums';
import { ArtifactRequest, IntakeRecord, SignedDelivery } from '../intake-record';
import { sessionStatusPath } from '../../suki/documented-paths';
import { SukiNotification } from '../../suki/notification';

/** What one kind of event does; the dispatcher picks a handler by the mapped session status. */
export interface NotificationHandler {
  /** The mapped status this handler owns, or 'unrecognized' for statuses we do not know. */
  readonly handles: SessionStatus | 'unrecognized';
  /**
   * What the notification asks to be written: pure, so that a notification drained from the
   * spool later is rebuilt into exactly the record it would have been at arrival.
   */
  toRecord(delivery: SignedDelivery, notification: SukiNotification): IntakeRecord;
}

export const NOTIFICATION_HANDLERS = Symbol('NOTIFICATION_HANDLERS');

/** The part of an intake record every event shares. */
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
