import { Global, Module } from '@nestjs/common';
import { DatabaseReadiness } from './database-readiness';
import { OperationsDatabase } from './operations-database';
import { PrismaService } from './prisma.service';
import { QueryDatabase } from './query-database';

/**
 * Every connection pool of the process is made and closed here: Prisma's (intake, retrieval,
 * writes), the query API's read pool (QueryDatabase), the operations endpoints' small pool
 * (OperationsDatabase), and (in migrator.ts) the migrator's
 * single client. Other modules get Prisma's typed API, named reads and the readiness queries;
 * the one exception left is retention's advisory-lock connection (PrismaService.pool).
 */
@Global()
@Module({
  providers: [PrismaService, QueryDatabase, OperationsDatabase, DatabaseReadiness],
  exports: [PrismaService, QueryDatabase, OperationsDatabase, DatabaseReadiness],
})
export class DatabaseModule {}
