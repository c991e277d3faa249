import { BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { requestContext } from '../logging/request-context';
import { MetricsService } from '../metrics/metrics.service';
import { eventOf, NOTIFICATION_HANDLERS, NotificationHandler } from './handlers/notification-handler';
import { IntakeRecord, SignedDelivery } from './intake-record';
import { IntakeOutcome, IntakeService } from './intake.service';
import { parseNotification, SukiNotification } from '../suki/notification';
import { isKnownVendorStatus } from '../suki/status-mapping';

/** What became of a notification, with the identifiers it is logged under. */
export interface DispatchResult {
  outcome: IntakeOutcome;
  sessionId: string;
  encounterId: string;
  status: string;
}

/**
 * Hands each verified notification to the handler of its event (a map built by DI, the
 * rejected body one more entry), submits the record once, and answers.
 */
@Injectable()
export class NotificationDispatcher {
  private readonly logger = new Logger(NotificationDispatcher.name);
  private readonly handlers: ReadonlyMap<string, NotificationHandler>;

  constructor(
    @Inject(NOTIFICATION_HANDLERS) handlers: NotificationHandler[],
    private readonly intake: IntakeService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {
    this.handlers = new Map(handlers.map((handler) => [handler.handles, handler]));
  }

  async dispatch(delivery: SignedDelivery): Promise<DispatchResult> {
    const { record, notification } = this.recordFor(delivery);
    const outcome = await this.intake.submit({ ...record, requestId: requestContext.getStore()?.reqId });
    if (!notification) {
      // Authentic but unusable: kept verbatim (never dropped, if need be in the spool), then refused.
      this.count(record.vendorStatus, 'rejected');
      throw new BadRequestException(record.rejectReason);
    }
    this.count(notification.vendorStatus, outcome);
    if (outcome !== 'duplicate') this.reportLeftOut(notification);
    const status = notification.status ?? 'unrecognized';
    // At info the request's access line carries these identifiers; this line is for debugging.
    this.logger.debug(
      `notification session=${notification.sessionId} encounter=${notification.encounterId} status=${status} outcome=${outcome}`,
    );
    return { outcome, sessionId: notification.sessionId, encounterId: notification.encounterId, status };
  }

  /** What the notification held that its rows do not: said out loud, never dropped silently. */
  private reportLeftOut(notification: SukiNotification): void {
    const session = notification.sessionId;
    if (notification.sessionsLeftOut > 0) {
      const cap = this.config.webhook.maxKnownSessions;
      this.metrics.knownSessionsLeftOut.inc(notification.sessionsLeftOut);
      this.logger.warn(
        `notification session=${session} lists more sessions than the cap of ${cap}: ${notification.sessionsLeftOut} not made known (kept in the raw body)`,
      );
    }
    for (const { field, reason } of notification.unstored) {
      this.metrics.unstoredFields.inc({ field });
      this.logger.warn(`notification session=${session} field=${field}: ${reason} (kept in the raw body)`);
    }
  }

  /**
   * The record a verified delivery asks for, from its bytes alone. The spool drainer rebuilds
   * spooled notifications through here, so they are written exactly as on-time ones.
   */
  recordFor(delivery: SignedDelivery): { record: IntakeRecord; notification?: SukiNotification } {
    const parsed = parseNotification(delivery.rawBody, { maxKnownSessions: this.config.webhook.maxKnownSessions });
    const event = eventOf(parsed);
    const handler = this.handlers.get(event);
    if (!handler) throw new Error(`no handler for ${event}`);
    return { record: handler.toRecord(delivery, parsed), notification: parsed.usable ? parsed.notification : undefined };
  }

  private count(vendorStatus: string | undefined, outcome: string): void {
    // Vendor statuses are an open set: known ones are labelled, the rest share one label.
    const label = vendorStatus === undefined ? 'none' : isKnownVendorStatus(vendorStatus) ? vendorStatus.trim().toLowerCase() : 'other';
    this.metrics.notifications.inc({ vendor_status: label, outcome });
  }
}
