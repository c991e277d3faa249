import { Module } from '@nestjs/common';
import { DatabaseStartup } from '../database/database-startup';
import { SpoolDrainer } from '../spool/spool.drainer';
import { SpoolModule } from '../spool/spool.module';
import { NOTIFICATION_HANDLERS, NotificationHandler } from './handlers/notification-handler';
import { SessionCancelledHandler } from './handlers/session-cancelled.handler';
import { SessionCompletedHandler } from './handlers/session-completed.handler';
import { SessionFailedHandler } from './handlers/session-failed.handler';
import { SessionTimedOutHandler } from './handlers/session-timed-out.handler';
import { UnrecognizedStatusHandler } from './handlers/unrecognized-status.handler';
import { IntakeRepository } from './intake.repository';
import { IntakeService } from './intake.service';
import { NotificationDispatcher } from './notification.dispatcher';
import { SignatureHeadersMiddleware } from './signature-headers.middleware';
import { SignatureGuard } from './signature.guard';
import { WebhooksController } from './webhooks.controller';

// Adding an event: one handler file, one line here.
const HANDLERS = [
  SessionCompletedHandler,
  SessionFailedHandler,
  SessionTimedOutHandler,
  SessionCancelledHandler,
  UnrecognizedStatusHandler,
];

@Module({
  imports: [SpoolModule],
  controllers: [WebhooksController],
  providers: [
    ...HANDLERS,
    {
      provide: NOTIFICATION_HANDLERS,
      useFactory: (...handlers: NotificationHandler[]) => handlers,
      inject: HANDLERS,
    },
    NotificationDispatcher,
    IntakeService,
    IntakeRepository,
    SignatureGuard,
    SignatureHeadersMiddleware,
    // Here rather than in SpoolModule: it drives this module's dispatcher and repository.
    SpoolDrainer,
    DatabaseStartup,
  ],
})
export class WebhooksModule {}
