import { isConnectionError, isWriteConflict } from '../common/http-error';

// query_canceled (a statement_timeout), lock_not_available (a lock_timeout), serialization
// failure and deadlock: the statement did nothing, and the same statement later very likely works.
const TRANSIENT_CODES = /^(57014|55P03|40001|40P01)$/;

interface ErrorFields {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: { cause?: { code?: unknown; originalCode?: unknown } } };
}

/**
 * Whether a database error is one that passes: the database away or timing out, or a conflict
 * with another transaction, as opposed to a value it refuses (which would fail every time),
 * whichever layer raised it (pg, Prisma's driver adapter).
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (isConnectionError(error) || isWriteConflict(error)) return true;
  const seen = new Set<unknown>();
  for (let current = error as ErrorFields | undefined; current && !seen.has(current); current = current.cause as ErrorFields | undefined) {
    seen.add(current);
    const adapterCause = current.meta?.driverAdapterError?.cause;
    for (const code of [adapterCause?.originalCode, adapterCause?.code, current.code])
      if (typeof code === 'string' && TRANSIENT_CODES.test(code)) return true;
    if (typeof current.message === 'string' && /statement timeout|lock timeout/i.test(current.message)) return true;
  }
  return false;
}
