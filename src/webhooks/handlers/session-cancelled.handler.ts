import { Injectable } from '@nestjs/common';
import { SukiNotification } from '../../suki/notification';
import { confirmedByStatusCheck, EventMeaning, SessionEventHandler } from './notification-handler';

/** A cancellation: recorded, then confirmed once against Suki's session status. */
@Injectable()
export class SessionCancelledHandler extends SessionEventHandler {
  override readonly handles = 'cancelled' as const;

  protected override meaning(notification: SukiNotification): EventMeaning {
    return confirmedByStatusCheck(notification);
  }
}
