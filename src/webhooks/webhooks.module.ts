import { Module } from '@nestjs/common';
import { DatabaseStartup } from '../database/database-startup';
import { SpoolModule } from '../spool/spool.module';
import { NOTIFICATION_HANDLERS, NotificationHandler } from './handlers/notification-handler';
import { EVENT_HANDLERS } from './handlers/event-handlers';
import { EncounterBindingReport } from './encounter-binding.report';
import { IntakeRepository } from './intake.repository';
import { IntakeService } from './intake.service';
import { NotificationDispatcher } from './notification.dispatcher';
import { SignatureHeadersMiddleware } from './signature-headers.middleware';
import { SignatureGuard } from './signature.guard';
import { SpoolDrainer } from './spool.drainer';
import { WebhooksController } from './webhooks.controller';

@Module({
  imports: [SpoolModule],
  controllers: [WebhooksController],
  providers: [
    ...EVENT_HANDLERS,
    {
      provide: NOTIFICATION_HANDLERS,
      useFactory: (...handlers: NotificationHandler[]) => handlers,
      inject: EVENT_HANDLERS,
    },
    NotificationDispatcher,
    IntakeService,
    IntakeRepository,
    EncounterBindingReport,
    SignatureGuard,
    SignatureHeadersMiddleware,
    // Here rather than in SpoolModule: it drives this module's dispatcher and repository.
    SpoolDrainer,
    DatabaseStartup,
  ],
})
export class WebhooksModule {}
