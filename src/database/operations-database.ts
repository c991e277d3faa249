import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Pool, QueryResultRow } from 'pg';
import { AppConfig } from '../config/app-config';

/** Connections of the operations pool: one for a probe, one for a scrape. */
export const OPERATIONS_POOL_SIZE = 2;

/**
 * A small pool of its own for what unauthenticated operations endpoints ask the database
 * (readiness, the gauges of /metrics): however often they are called, they never take one of
 * intake's connections, nor queue behind the query API's reads (a saturated read pool must not
 * make a replica look unready). Their answers are also cached (common/shared-result.ts).
 */
@Injectable()
export class OperationsDatabase implements OnModuleDestroy {
  private readonly pool: Pool;

  constructor(config: AppConfig) {
    this.pool = new Pool({
      connectionString: config.databaseUrl,
      max: OPERATIONS_POOL_SIZE,
      connectionTimeoutMillis: 2_000,
      // Closed when idle: between scrapes the pool holds no connection.
      idleTimeoutMillis: 30_000,
      statement_timeout: 5_000,
      query_timeout: 5_500,
      application_name: 'suki-notification-service/operations',
    });
    // An idle client losing its connection (a database restart) must not crash the process.
    this.pool.on('error', () => undefined);
  }

  async rows<T extends QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(text, values)).rows;
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
