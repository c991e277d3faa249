import { Module } from '@nestjs/common';
import { QueryModule } from '../query/query.module';
import { SpoolQuarantineController } from './spool-quarantine.controller';
import { SpoolStore } from './spool.store';

/**
 * The local spool's store, and its quarantine's admin routes (behind the query API's guard). Its
 * drainer (spool.drainer.ts) is provided by the webhooks module, whose dispatcher and repository
 * it drives; this module stays free of them so intake can depend on it.
 */
@Module({
  imports: [QueryModule],
  controllers: [SpoolQuarantineController],
  providers: [SpoolStore],
  exports: [SpoolStore],
})
export class SpoolModule {}
