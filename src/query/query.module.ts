import { Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { AuditModule } from '../audit/audit.module';
import { EncountersController } from './encounters.controller';
import { EncountersRepository } from './encounters.repository';
import { SessionsController } from './sessions.controller';
import { SessionsRepository } from './sessions.repository';

/**
 * The API for internal systems. It reads the tables intake writes, through its own
 * repositories and read pool (QueryDatabase, made by the database module), and depends on nothing of the webhook side; the one thing
 * it writes is the access audit of the note content it serves (AuditModule).
 */
@Module({
  imports: [ApiModule, AuditModule],
  controllers: [SessionsController, EncountersController],
  providers: [SessionsRepository, EncountersRepository],
})
export class QueryModule {}
