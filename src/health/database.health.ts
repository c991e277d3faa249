import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { SharedResult } from '../common/shared-result';
import { DatabaseReadiness } from '../database/database-readiness';

/** A probe must answer within the kubelet's timeout even when the database hangs. */
const CHECK_TIMEOUT_MS = 3_000;

/**
 * How long a migrations check that found everything applied is reused: it reads the migrations
 * folder and asks the database twice, and readiness is unauthenticated. A probe flood costs one
 * check per period. Anything else (pending, or no answer) is asked again at the next probe, so a
 * replica turns ready as soon as it is.
 */
export const MIGRATIONS_CHECK_CACHE_MS = 5_000;

@Injectable()
export class DatabaseHealthIndicator {
  // Probes at the same moment share one ping (a cheap SELECT 1, so not kept after it answers).
  private readonly ping = new SharedResult(() => withTimeout(this.repository.ping()), 0);
  private readonly pending = new SharedResult(
    () => withTimeout(this.repository.pendingMigrations()),
    MIGRATIONS_CHECK_CACHE_MS,
    Date.now,
    (outcome) => 'value' in outcome && outcome.value.length === 0,
  );

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly repository: DatabaseReadiness,
  ) {}

  async reachable(key: string) {
    const check = this.indicators.check(key);
    try {
      await this.ping.get();
      return check.up();
    } catch (error) {
      return check.down({ message: describe(error) });
    }
  }

  async migrated(key: string) {
    const check = this.indicators.check(key);
    try {
      const pending = await this.pending.get();
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
