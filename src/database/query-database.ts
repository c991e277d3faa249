import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Pool, QueryResultRow } from 'pg';
import { AppConfig } from '../config/app-config';

/**
 * The query API's own connection pool. Intake shares no connections with it, so a burst of
 * reads can queue only behind other reads, never in front of a notification waiting to be made
 * durable. Reads are plain SELECTs under MVCC: they take no locks that writers wait on.
 */
@Injectable()
export class QueryDatabase implements OnModuleDestroy {
  private readonly pool: Pool;

  constructor(config: AppConfig) {
    this.pool = new Pool({
      connectionString: config.databaseUrl,
      max: config.databaseQueryPoolSize,
      // Reads answer 503 promptly while the database is away rather than queueing behind it.
      connectionTimeoutMillis: 2_000,
      idleTimeoutMillis: 30_000,
      // Every read is an indexed lookup or a bounded page; one that runs this long is a fault.
      statement_timeout: 10_000,
      // Enforced here too: a hung server never enforces its own statement_timeout.
      query_timeout: 10_500,
      application_name: 'suki-notification-service/query',
    });
    // An idle client losing its connection (a database restart) must not crash the process.
    this.pool.on('error', () => undefined);
  }

  /**
   * Runs one statement. Named statements are prepared once per connection, which spares the
   * hot lookups a parse and plan on every request.
   */
  async rows<T extends QueryResultRow>(name: string, text: string, values: unknown[]): Promise<T[]> {
    return (await this.pool.query<T>({ name, text, values })).rows;
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
