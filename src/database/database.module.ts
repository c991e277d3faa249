import { Global, Module } from '@nestjs/common';
import { DatabaseReadiness } from './database-readiness';
import { PrismaService } from './prisma.service';

@Global()
@Module({
  providers: [PrismaService, DatabaseReadiness],
  exports: [PrismaService, DatabaseReadiness],
})
export class DatabaseModule {}
