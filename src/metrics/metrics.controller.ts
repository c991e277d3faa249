import { Controller, Get, Logger, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { SharedResult } from '../common/shared-result';
import { ArtifactKind } from '../generated/prisma/enums';
import { ArtifactBacklogRepository } from './artifact-backlog.repository';
import { MetricsService, PendingBacklog } from './metrics.service';

/**
 * How long the database's gauges are reused: /metrics is unauthenticated, and however often it
 * is scraped (several Prometheus replicas, or a stranger) the database is asked once per period.
 */
export const SCRAPE_CACHE_MS = 5_000;

interface DatabaseGauges {
  backlog?: PendingBacklog;
  failed?: Map<ArtifactKind, number>;
}

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  private readonly logger = new Logger(MetricsController.name);
  private readonly gauges = new SharedResult(() => this.readGauges(), SCRAPE_CACHE_MS);

  constructor(
    private readonly metrics: MetricsService,
    private readonly backlog: ArtifactBacklogRepository,
  ) {}

  /** Prometheus text. The backlog gauges are read from the database (at most once per SCRAPE_CACHE_MS), not kept in memory. */
  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format)', security: [] })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Metrics.', schema: { type: 'string' } })
  async scrape(@Res({ passthrough: true }) response: Response): Promise<string> {
    const gauges = await this.gauges.get();
    this.metrics.setBacklog(gauges.backlog);
    this.metrics.setFailedArtifacts(gauges.failed);
    response.setHeader('Content-Type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }

  /** Never fails: a gauge that cannot be read has no sample (absent rather than stale). */
  private async readGauges(): Promise<DatabaseGauges> {
    const backlog = await this.backlog.pendingBacklog().catch((error: unknown) => {
      this.logger.warn(`backlog gauges unavailable: ${error instanceof Error ? error.name : 'error'}`);
      return undefined;
    });
    return { backlog, failed: await this.backlog.failedByKind().catch(() => undefined) };
  }
}
