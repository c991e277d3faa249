import { Injectable } from '@nestjs/common';
import { IntakeRecord, SignedDelivery } from '../intake-record';
import { ParsedNotification } from '../../suki/notification';
import { NotificationHandler } from './notification-handler';

/**
 * An authentic body that names no usable session or encounter: kept verbatim with the reason
 * (never dropped, if need be in the spool), touching no session; the dispatcher answers 400.
 */
@Injectable()
export class RejectedNotificationHandler implements NotificationHandler {
  readonly handles = 'rejected' as const;

  toRecord(delivery: SignedDelivery, parsed: ParsedNotification): IntakeRecord {
    if (parsed.usable) throw new Error('the rejected handler was given an attributable notification');
    return { delivery, vendorStatus: parsed.vendorStatus, rejectReason: parsed.reason, knownSessions: [], artifacts: [] };
  }
}
