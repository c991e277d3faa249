import { Injectable } from '@nestjs/common';
import { DeliveryOutcome } from '../../generated/prisma/enums';
import { SignedDelivery } from '../intake-record';
import { IntakeService } from '../intake.service';
import { SukiNotification } from '../notification';
import { baseRecord, NotificationHandler, statusCheck } from './notification-handler';

/** A cancellation: recorded, then confirmed once against Suki's session status. */
@Injectable()
export class SessionCancelledHandler implements NotificationHandler {
  readonly handles = 'cancelled' as const;

  constructor(private readonly intake: IntakeService) {}

  handle(delivery: SignedDelivery, notification: SukiNotification): Promise<DeliveryOutcome> {
    return this.intake.submit({
      ...baseRecord(delivery, notification),
      artifacts: [statusCheck(notification.sessionId)],
    });
  }
}
