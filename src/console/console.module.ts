import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { PushModule } from '../push/push.module';
import { RetrievalModule } from '../retrieval/retrieval.module';
import { SpoolModule } from '../spool/spool.module';
import { ConsoleAssetsController } from './console-assets.controller';
import { ConsoleOperationsController } from './console-operations.controller';
import { ConsoleOverviewService } from './console-overview.service';
import { ConsoleRetrievalTiming, ConsoleSubscriptions } from './console-providers';
import { ConsoleSecurity } from './console-security';
import { ConsoleSessionsController } from './console-sessions.controller';
import { ConsoleViews } from './console-views';
import { ConsoleController } from './console.controller';
import { ConsoleExceptionFilter, ConsoleGuard } from './console.guard';
import { ConsoleRepository } from './console.repository';
import { PushSubscriptions } from './push-subscriptions';
import { DatabaseTimeToNote } from './time-to-note';

/**
 * The operator console under /console: server-rendered pages over the same clients and scopes
 * as /v1. Its middleware (ConsoleSecurity) is mounted on /console only, by app.setup.ts.
 *
 * The pages see push subscriptions and time to note through the abstract classes of
 * console-providers.ts, bound here: the push module's SubscriptionsService (the same checks and
 * audit as /v1) and the database's figure for every replica.
 */
@Module({
  imports: [AuditModule, PushModule, RetrievalModule, SpoolModule],
  controllers: [ConsoleController, ConsoleSessionsController, ConsoleOperationsController, ConsoleAssetsController],
  providers: [
    ConsoleViews,
    ConsoleSecurity,
    ConsoleRepository,
    ConsoleOverviewService,
    ConsoleGuard,
    ConsoleExceptionFilter,
    { provide: ConsoleSubscriptions, useClass: PushSubscriptions },
    { provide: ConsoleRetrievalTiming, useClass: DatabaseTimeToNote },
  ],
  exports: [ConsoleSecurity],
})
export class ConsoleModule {}
