import { HttpModule } from '@nestjs/axios';
import { Logger, Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { AuditModule } from '../audit/audit.module';
import { monotonicNow, WorkSignalModule } from '../common/work-signal';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { BreakerState, CircuitBreaker } from './circuit-breaker';
import { DeadLettersController } from './dead-letters.controller';
import { DeadLettersRepository } from './dead-letters.repository';
import { DeadLettersService } from './dead-letters.service';
import { ReconcileRepository } from './reconcile.repository';
import { RetrievalRepository } from './retrieval.repository';
import { RetrievalService } from './retrieval.service';
import { RetrievalWorker } from './retrieval.worker';
import { SukiClient } from './suki.client';

/**
 * Background retrieval of the artifacts intake queued: worker → Suki client → artifacts; and the
 * operator's dead letters (GET /v1/artifacts, POST /v1/artifacts/retry), behind the query API's guard.
 */
@Module({
  imports: [HttpModule, WorkSignalModule, ApiModule, AuditModule],
  controllers: [DeadLettersController],
  providers: [
    RetrievalRepository,
    ReconcileRepository,
    SukiClient,
    RetrievalService,
    RetrievalWorker,
    DeadLettersRepository,
    DeadLettersService,
    { provide: CircuitBreaker, inject: [AppConfig, MetricsService], useFactory: sukiBreaker },
  ],
  exports: [DeadLettersService],
})
export class RetrievalModule {}

/** One breaker per process: its state is a gauge, and each change a log line an operator sees. */
function sukiBreaker(config: AppConfig, metrics: MetricsService): CircuitBreaker {
  const logger = new Logger('SukiBreaker');
  const describe: Record<BreakerState, string> = {
    open: 'Suki is failing broadly: backing off, one probe at a time',
    half_open: 'probing Suki',
    closed: `Suki answers again: back to full concurrency (${config.suki.maxConcurrency})`,
  };
  metrics.setBreakerState('closed');
  return new CircuitBreaker(config.retrieval.breaker, monotonicNow, Math.random, (state) => {
    metrics.setBreakerState(state);
    if (state === 'open') metrics.countBreakerOpen();
    if (state === 'half_open') logger.debug(describe[state]);
    else logger.warn(describe[state]);
  });
}
