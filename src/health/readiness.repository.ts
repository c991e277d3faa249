import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { pendingMigrations } from '../database/migrator';

/** The two questions readiness asks the database, over the application's own pool. */
@Injectable()
export class ReadinessRepository {
  constructor(private readonly db: PrismaService) {}

  async ping(): Promise<void> {
    await this.db.pool.query('SELECT 1');
  }

  /** Names of migration files the database has not finished applying. */
  async pendingMigrations(): Promise<string[]> {
    return pendingMigrations(async (sql) => (await this.db.pool.query<{ migration_name: string }>(sql)).rows);
  }
}
