import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { AuditModule } from '../audit/audit.module';
import { WorkSignalModule } from '../common/work-signal';
import { AppConfig } from '../config/app-config';
import { AdaptiveLimit, DEFAULT_LIMIT_SETTINGS } from './adaptive-limit';
import { DeadLettersController } from './dead-letters.controller';
import { DeadLettersRepository } from './dead-letters.repository';
import { DeadLettersService } from './dead-letters.service';
import { QueueDepthRepository } from './queue-depth.repository';
import { RetrievalMetrics } from './retrieval.metrics';
import { RetrievalService } from './retrieval.service';
import { RetrievalWorker } from './retrieval.worker';
import { SukiBreaker } from './suki-breaker';
import { SukiBreakerRepository } from './suki-breaker.repository';
import { SukiClient } from './suki.client';
import { WorkQueueModule } from '../work-queue/work-queue.module';

/**
 * Background retrieval of the artifacts intake queued: worker → Suki client → artifacts; and the
 * operator's dead letters (GET /v1/artifacts, POST /v1/artifacts/retry), behind the query API's guard.
 */
@Module({
  imports: [HttpModule, WorkSignalModule, ApiModule, AuditModule, WorkQueueModule],
  controllers: [DeadLettersController],
  providers: [
    SukiClient,
    RetrievalService,
    RetrievalWorker,
    DeadLettersRepository,
    DeadLettersService,
    SukiBreakerRepository,
    SukiBreaker,
    QueueDepthRepository,
    RetrievalMetrics,
    { provide: AdaptiveLimit, inject: [AppConfig], useFactory: adaptiveLimit },
  ],
  exports: [DeadLettersService],
})
export class RetrievalModule {}

/** One limit per process: each replica finds its share of what Suki takes (docs/time-to-note.md). */
function adaptiveLimit(config: AppConfig): AdaptiveLimit {
  const { maxConcurrency, initialConcurrency } = config.suki;
  return new AdaptiveLimit({ ...DEFAULT_LIMIT_SETTINGS, max: maxConcurrency, initial: Math.min(initialConcurrency, maxConcurrency) });
}
