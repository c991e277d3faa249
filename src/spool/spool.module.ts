import { Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { SpoolQuarantineController } from './spool-quarantine.controller';
import { SpoolStore } from './spool.store';

/**
 * The local spool's store, and its quarantine's admin routes (behind the /v1 kit's guard). Its
 * drainer (src/webhooks/spool.drainer.ts) lives in the webhooks module, whose dispatcher and
 * repository it drives; this module stays free of them so intake can depend on it.
 */
@Module({
  imports: [ApiModule],
  controllers: [SpoolQuarantineController],
  providers: [SpoolStore],
  exports: [SpoolStore],
})
export class SpoolModule {}
