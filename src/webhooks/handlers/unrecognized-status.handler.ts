import { Injectable } from '@nestjs/common';
import { SukiNotification } from '../../suki/notification';
import { confirmedByStatusCheck, EventMeaning, SessionEventHandler } from './notification-handler';

/**
 * A status we do not know (Suki has not documented every value). The delivery is kept
 * verbatim and acknowledged, the session becomes known without a status change, and Suki's
 * status endpoint settles it.
 */
@Injectable()
export class UnrecognizedStatusHandler extends SessionEventHandler {
  override readonly handles = 'unrecognized' as const;

  protected override meaning(notification: SukiNotification): EventMeaning {
    return { sessionStatus: undefined, ...confirmedByStatusCheck(notification) };
  }
}
