import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { AppConfig } from '../config/app-config';
import { PrismaClient } from '../generated/prisma/client';

/**
 * The one Prisma client of the process, over a pg pool we own so that shutdown can close it
 * and connection failures surface quickly (a 503, not a hung request).
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  readonly pool: Pool;

  constructor(config: AppConfig) {
    const pool = new Pool({
      connectionString: config.databaseUrl,
      max: config.databasePoolSize,
      // Bounds both opening a connection and waiting for a pooled one. Intake spools what is not
      // committed within INTAKE_COMMIT_TIMEOUT_MS anyway; this frees the caller behind it.
      connectionTimeoutMillis: Math.min(5_000, config.intake.commitTimeoutMs),
      idleTimeoutMillis: 30_000,
      // A statement that cannot finish in this time is failed rather than left holding a request.
      statement_timeout: 30_000,
      // The same bound on the client side: a hung server (SIGSTOP, a frozen failover) never
      // enforces its own statement_timeout.
      query_timeout: 31_000,
    });
    // An idle client losing its connection (a database restart) must not crash the process.
    pool.on('error', () => undefined);
    super({ adapter: new PrismaPg(pool) });
    this.pool = pool;
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
    await this.pool.end().catch(() => undefined);
  }
}
