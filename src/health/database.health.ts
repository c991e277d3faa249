import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DatabaseReadiness } from '../database/database-readiness';

/** A probe must answer within the kubelet's timeout even when the database hangs. */
const CHECK_TIMEOUT_MS = 3_000;

@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly repository: DatabaseReadiness,
  ) {}

  async reachable(key: string) {
    const check = this.indicators.check(key);
    try {
      await withTimeout(this.repository.ping());
      return check.up();
    } catch (error) {
      return check.down({ message: describe(error) });
    }
  }

  async migrated(key: string) {
    const check = this.indicators.check(key);
    try {
      const pending = await withTimeout(this.repository.pendingMigrations());
      return pending.length === 0 ? check.up() : check.down({ message: 'migrations pending', pending });
    } catch (error) {
      return check.down({ message: describe(error) });
    }
  }
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** A class of failure for operators; driver messages can quote data, so they are not passed on. */
function describe(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (code === '42P01') return 'migrations table missing';
  if (typeof code === 'string') return `database error ${code}`;
  return error instanceof Error && error.message.startsWith('no answer') ? error.message : 'database unreachable';
}
