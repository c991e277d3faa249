import { Module } from '@nestjs/common';
import { LeasesRepository } from './leases.repository';

/** Named leases with fencing generations (lease.ts), for any work that must run on one replica at a time. */
@Module({
  providers: [LeasesRepository],
  exports: [LeasesRepository],
})
export class LeasesModule {}
