import { Injectable } from '@nestjs/common';
import { DeliveryOutcome } from '../../generated/prisma/enums';
import { SignedDelivery } from '../intake-record';
import { IntakeService } from '../intake.service';
import { SukiNotification } from '../notification';
import { baseRecord, NotificationHandler, statusCheck } from './notification-handler';

/**
 * A status we do not know (Suki has not documented every value). The delivery is kept
 * verbatim and acknowledged, the session becomes known without a status change, and Suki's
 * status endpoint settles it.
 */
@Injectable()
export class UnrecognizedStatusHandler implements NotificationHandler {
  readonly handles = 'unrecognized' as const;

  constructor(private readonly intake: IntakeService) {}

  handle(delivery: SignedDelivery, notification: SukiNotification): Promise<DeliveryOutcome> {
    return this.intake.submit({
      ...baseRecord(delivery, notification),
      sessionStatus: undefined,
      artifacts: [statusCheck(notification.sessionId)],
    });
  }
}
