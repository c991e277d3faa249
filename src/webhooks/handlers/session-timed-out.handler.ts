import { Injectable } from '@nestjs/common';
import { IntakeRecord, SignedDelivery } from '../intake-record';
import { SukiNotification } from '../../suki/notification';
import { baseRecord, NotificationHandler, statusCheck } from './notification-handler';

/** A timeout: recorded, then confirmed once against Suki's session status. */
@Injectable()
export class SessionTimedOutHandler implements NotificationHandler {
  readonly handles = 'timed_out' as const;

  toRecord(delivery: SignedDelivery, notification: SukiNotification): IntakeRecord {
    return {
      ...baseRecord(delivery, notification),
      artifacts: [statusCheck(notification.sessionId)],
    };
  }
}
