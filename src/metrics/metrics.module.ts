import { Global, Module } from '@nestjs/common';
import { ArtifactBacklogRepository } from './artifact-backlog.repository';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, ArtifactBacklogRepository],
  exports: [MetricsService],
})
export class MetricsModule {}
