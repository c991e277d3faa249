import { Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { AuditModule } from '../audit/audit.module';
import { WorkQueueModule } from '../work-queue/work-queue.module';
import { RegistrationController } from './registration.controller';
import { RegistrationRepository } from './registration.repository';

/**
 * PUT /v1/sessions/{sessionId}: internal systems name the sessions they expect, and the
 * retrieval worker reconciles those whose notification never comes (src/retrieval).
 */
@Module({
  imports: [ApiModule, AuditModule, WorkQueueModule],
  controllers: [RegistrationController],
  providers: [RegistrationRepository],
})
export class RegistrationModule {}
