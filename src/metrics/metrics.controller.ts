import { Controller, Get, Logger, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ArtifactBacklogRepository } from './artifact-backlog.repository';
import { MetricsService } from './metrics.service';

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  private readonly logger = new Logger(MetricsController.name);

  constructor(
    private readonly metrics: MetricsService,
    private readonly backlog: ArtifactBacklogRepository,
  ) {}

  /** Prometheus text. The backlog gauges are read from the database now, not kept in memory. */
  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format)', security: [] })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Metrics.', schema: { type: 'string' } })
  async scrape(@Res({ passthrough: true }) response: Response): Promise<string> {
    const backlog = await this.backlog.pendingBacklog().catch((error: unknown) => {
      this.logger.warn(`backlog gauges unavailable: ${error instanceof Error ? error.name : 'error'}`);
      return undefined;
    });
    this.metrics.setBacklog(backlog);
    this.metrics.setFailedArtifacts(await this.backlog.failedByKind().catch(() => undefined));
    response.setHeader('Content-Type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
