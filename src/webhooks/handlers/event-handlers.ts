import { RejectedNotificationHandler } from './rejected-notification.handler';
import { SessionCancelledHandler } from './session-cancelled.handler';
import { SessionCompletedHandler } from './session-completed.handler';
import { SessionFailedHandler } from './session-failed.handler';
import { SessionTimedOutHandler } from './session-timed-out.handler';
import { UnrecognizedStatusHandler } from './unrecognized-status.handler';

// Adding an event: one handler file, one line here.
export const EVENT_HANDLERS = [
  SessionCompletedHandler,
  SessionFailedHandler,
  SessionTimedOutHandler,
  SessionCancelledHandler,
  UnrecognizedStatusHandler,
  RejectedNotificationHandler,
];
