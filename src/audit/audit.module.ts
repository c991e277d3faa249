import { Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

/** The access audit: AuditService for every endpoint that must record, and GET /v1/audit. */
@Module({
  imports: [ApiModule],
  controllers: [AuditController],
  providers: [AuditRepository, AuditService],
  exports: [AuditService],
})
export class AuditModule {}
