import { BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { NOTIFICATION_HANDLERS, NotificationHandler } from './handlers/notification-handler';
import { IntakeRecord, SignedDelivery } from './intake-record';
import { IntakeOutcome, IntakeService } from './intake.service';
import { parseNotification, SukiNotification } from './notification';
import { isKnownVendorStatus } from './status-mapping';

/** What became of a notification, with the identifiers it is logged under. */
export interface DispatchResult {
  outcome: IntakeOutcome;
  sessionId: string;
  encounterId: string;
  status: string;
}

/** Hands each verified notification to the handler of its event, through a map built by DI. */
@Injectable()
export class NotificationDispatcher {
  private readonly logger = new Logger(NotificationDispatcher.name);
  private readonly handlers: ReadonlyMap<string, NotificationHandler>;

  constructor(
    @Inject(NOTIFICATION_HANDLERS) handlers: NotificationHandler[],
    private readonly intake: IntakeService,
    private readonly metrics: MetricsService,
  ) {
    this.handlers = new Map(handlers.map((handler) => [handler.handles, handler]));
  }

  async dispatch(delivery: SignedDelivery): Promise<DispatchResult> {
    const { record, notification } = this.recordFor(delivery);
    const outcome = await this.intake.submit(record);
    if (!notification) {
      // Authentic but unusable: kept verbatim (never dropped, if need be in the spool), then refused.
      this.count(record.vendorStatus, 'rejected');
      throw new BadRequestException(record.rejectReason);
    }
    this.count(notification.vendorStatus, outcome);
    const status = notification.status ?? 'unrecognized';
    // At info the request's access line carries these identifiers; this line is for debugging.
    this.logger.debug(
      `notification session=${notification.sessionId} encounter=${notification.encounterId} status=${status} outcome=${outcome}`,
    );
    return { outcome, sessionId: notification.sessionId, encounterId: notification.encounterId, status };
  }

  /**
   * The record a verified delivery asks for, from its bytes alone. The spool drainer rebuilds
   * spooled notifications through here, so they are written exactly as on-time ones.
   */
  recordFor(delivery: SignedDelivery): { record: IntakeRecord; notification?: SukiNotification } {
    const parsed = parseNotification(delivery.rawBody);
    if (!parsed.usable) {
      const record = { delivery, vendorStatus: parsed.vendorStatus, rejectReason: parsed.reason, knownSessions: [], artifacts: [] };
      return { record };
    }
    const { notification } = parsed;
    const handler = this.handlers.get(notification.status ?? 'unrecognized');
    if (!handler) throw new Error(`no handler for ${notification.status}`);
    return { record: handler.toRecord(delivery, notification), notification };
  }

  private count(vendorStatus: string | undefined, outcome: string): void {
    // Vendor statuses are an open set: known ones are labelled, the rest share one label.
    const label = vendorStatus === undefined ? 'none' : isKnownVendorStatus(vendorStatus) ? vendorStatus.trim().toLowerCase() : 'other';
    this.metrics.notifications.inc({ vendor_status: label, outcome });
  }
}
