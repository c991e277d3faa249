import { Injectable } from '@nestjs/common';
import { DeliveryOutcome } from '../../generated/prisma/enums';
import { SignedDelivery } from '../intake-record';
import { IntakeService } from '../intake.service';
import { SukiNotification } from '../notification';
import { baseRecord, NotificationHandler } from './notification-handler';

/** `failure`: Suki could not produce the note. Keeps its error code and detail. */
@Injectable()
export class SessionFailedHandler implements NotificationHandler {
  readonly handles = 'failed' as const;

  constructor(private readonly intake: IntakeService) {}

  handle(delivery: SignedDelivery, notification: SukiNotification): Promise<DeliveryOutcome> {
    return this.intake.submit({
      ...baseRecord(delivery, notification),
      errorCode: notification.errorCode,
      errorDetail: notification.errorDetail,
    });
  }
}
