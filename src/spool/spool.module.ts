import { Module } from '@nestjs/common';
import { SpoolStore } from './spool.store';

/**
 * The local spool's store. Its drainer (spool.drainer.ts) is provided by the webhooks module,
 * whose dispatcher and repository it drives; this module stays free of them so intake can depend on it.
 */
@Module({
  providers: [SpoolStore],
  exports: [SpoolStore],
})
export class SpoolModule {}
