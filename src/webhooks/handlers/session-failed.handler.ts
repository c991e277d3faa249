import { Injectable } from '@nestjs/common';
import { SukiNotification } from '../../suki/notification';
import { EventMeaning, SessionEventHandler } from './notification-handler';

/** `failure`: Suki could not produce the note. Keeps its error code and detail. */
@Injectable()
export class SessionFailedHandler extends SessionEventHandler {
  override readonly handles = 'failed' as const;

  protected override meaning(notification: SukiNotification): EventMeaning {
    return { errorCode: notification.errorCode, errorDetail: notification.errorDetail };
  }
}
