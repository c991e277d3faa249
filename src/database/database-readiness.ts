import { Injectable } from '@nestjs/common';
import { pendingMigrations } from './migrator';
import { PrismaService } from './prisma.service';

/**
 * The two questions readiness asks the database, over the application's own pool. Here, in
 * the database module, because the pool is not handed out. Raw pg rather than $queryRaw: the
 * probe reports the driver's own error code (ECONNREFUSED, 42P01), which Prisma's wrapping hides.
 */
@Injectable()
export class DatabaseReadiness {
  constructor(private readonly db: PrismaService) {}

  async ping(): Promise<void> {
    await this.db.pool.query('SELECT 1');
  }

  /** Names of migration files the database has not finished applying. */
  async pendingMigrations(): Promise<string[]> {
    return pendingMigrations(async (sql) => (await this.db.pool.query<{ migration_name: string }>(sql)).rows);
  }
}
