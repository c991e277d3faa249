import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { RetrievalModule } from '../retrieval/retrieval.module';
import { SpoolModule } from '../spool/spool.module';
import { ConsoleAssetsController } from './console-assets.controller';
import { ConsoleOperationsController } from './console-operations.controller';
import { ConsoleOverviewService } from './console-overview.service';
import { ConsoleRetrievalTiming, ConsoleSubscriptions, PushNotEnabled, TimeToNoteNotMeasured } from './console-providers';
import { ConsoleSecurity } from './console-security';
import { ConsoleSessionsController } from './console-sessions.controller';
import { ConsoleViews } from './console-views';
import { ConsoleController } from './console.controller';
import { ConsoleExceptionFilter, ConsoleGuard } from './console.guard';
import { ConsoleRepository } from './console.repository';

/**
 * The operator console under /console: server-rendered pages over the same clients and scopes
 * as /v1. Its middleware (ConsoleSecurity) is mounted on /console only, by app.setup.ts.
 *
 * Push delivery and retrieval timing are bound here to defaults that say they are not in this
 * build; the modules that provide them replace `useClass` with their own implementation.
 */
@Module({
  imports: [AuditModule, RetrievalModule, SpoolModule],
  controllers: [ConsoleController, ConsoleSessionsController, ConsoleOperationsController, ConsoleAssetsController],
  providers: [
    ConsoleViews,
    ConsoleSecurity,
    ConsoleRepository,
    ConsoleOverviewService,
    ConsoleGuard,
    ConsoleExceptionFilter,
    { provide: ConsoleSubscriptions, useClass: PushNotEnabled },
    { provide: ConsoleRetrievalTiming, useClass: TimeToNoteNotMeasured },
  ],
  exports: [ConsoleSecurity],
})
export class ConsoleModule {}
