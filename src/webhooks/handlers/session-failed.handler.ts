import { Injectable } from '@nestjs/common';
import { IntakeRecord, SignedDelivery } from '../intake-record';
import { SukiNotification } from '../../suki/notification';
import { baseRecord, NotificationHandler } from './notification-handler';

/** `failure`: Suki could not produce the note. Keeps its error code and detail. */
@Injectable()
export class SessionFailedHandler implements NotificationHandler {
  readonly handles = 'failed' as const;

  toRecord(delivery: SignedDelivery, notification: SukiNotification): IntakeRecord {
    return {
      ...baseRecord(delivery, notification),
      errorCode: notification.errorCode,
      errorDetail: notification.errorDetail,
    };
  }
}
