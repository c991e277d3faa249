import { Injectable } from '@nestjs/common';
import { IntakeRecord, SignedDelivery } from '../intake-record';
import { SukiNotification } from '../../suki/notification';
import { baseRecord, NotificationHandler, statusCheck } from './notification-handler';

/**
 * A status we do not know (Suki has not documented every value). The delivery is kept
 * verbatim and acknowledged, the session becomes known without a status change, and Suki's
 * status endpoint settles it.
 */
@Injectable()
export class UnrecognizedStatusHandler implements NotificationHandler {
  readonly handles = 'unrecognized' as const;

  toRecord(delivery: SignedDelivery, notification: SukiNotification): IntakeRecord {
    return {
      ...baseRecord(delivery, notification),
      sessionStatus: undefined,
      artifacts: [statusCheck(notification.sessionId)],
    };
  }
}
