import { Injectable } from '@nestjs/common';
import { SukiNotification } from '../../suki/notification';
import { confirmedByStatusCheck, EventMeaning, SessionEventHandler } from './notification-handler';

/** A timeout: recorded, then confirmed once against Suki's session status. */
@Injectable()
export class SessionTimedOutHandler extends SessionEventHandler {
  override readonly handles = 'timed_out' as const;

  protected override meaning(notification: SukiNotification): EventMeaning {
    return confirmedByStatusCheck(notification);
  }
}
