import { Injectable } from '@nestjs/common';
import { pendingMigrations } from './migrator';
import { OperationsDatabase } from './operations-database';

/**
 * The two questions readiness asks the database, over the operations pool: probes never take
 * one of intake's connections. Raw pg rather than $queryRaw: the probe reports the driver's own
 * error code (ECONNREFUSED, 42P01), which Prisma's wrapping hides.
 */
@Injectable()
export class DatabaseReadiness {
  constructor(private readonly db: OperationsDatabase) {}

  async ping(): Promise<void> {
    await this.db.rows('SELECT 1');
  }

  /** Names of migration files the database has not finished applying. */
  async pendingMigrations(): Promise<string[]> {
    return pendingMigrations((sql) => this.db.rows<{ migration_name: string }>(sql));
  }
}
