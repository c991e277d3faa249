import { Global, Module } from '@nestjs/common';
import { DatabaseReadiness } from './database-readiness';
import { PrismaService } from './prisma.service';
import { QueryDatabase } from './query-database';

/**
 * Every connection pool of the process is made and closed here: Prisma's (intake, retrieval,
 * writes), the query API's read pool (QueryDatabase), and (in migrator.ts) the migrator's
 * single client. Other modules get Prisma's typed API, named reads and the readiness queries;
 * the one exception left is retention's advisory-lock connection (PrismaService.pool).
 */
@Global()
@Module({
  providers: [PrismaService, QueryDatabase, DatabaseReadiness],
  exports: [PrismaService, QueryDatabase, DatabaseReadiness],
})
export class DatabaseModule {}
