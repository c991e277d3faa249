import { Module } from '@nestjs/common';
import { SpoolStore } from './spool.store';

/**
 * The local spool's store. Its drainer (src/webhooks/spool.drainer.ts) lives in the webhooks module,
 * whose dispatcher and repository it drives; this module stays free of them so intake can depend on it.
 */
@Module({
  providers: [SpoolStore],
  exports: [SpoolStore],
})
export class SpoolModule {}
