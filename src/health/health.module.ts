import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SpoolModule } from '../spool/spool.module';
import { DatabaseHealthIndicator } from './database.health';
import { HealthController } from './health.controller';

@Module({
  // Terminus's own failure log is an error line per probe; the controller writes a short warning instead.
  imports: [TerminusModule.forRoot({ logger: false }), SpoolModule],
  controllers: [HealthController],
  providers: [DatabaseHealthIndicator],
})
export class HealthModule {}
