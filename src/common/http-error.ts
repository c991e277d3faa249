import { STATUS_CODES } from 'node:http';

/** The one error body every endpoint answers with. Never carries secrets or payload content. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

/**
 * The message of a 503 for a database that is away. Intake's says nothing was recorded (Suki
 * must know the notification is not durable); a read changed nothing, so it says to try again.
 */
export const UNAVAILABLE_MESSAGES = {
  write: 'storage is unavailable; nothing was recorded',
  read: 'storage is unavailable; nothing could be read, try again shortly',
} as const;

/** GET and HEAD change nothing here: their failure is a read's. */
export function unavailableMessage(method: string | undefined): string {
  return method === 'GET' || method === 'HEAD' ? UNAVAILABLE_MESSAGES.read : UNAVAILABLE_MESSAGES.write;
}

/**
 * An error a feature raises when the storage it needs is away, so that every layer above
 * answers it as it answers a database that is not there (503), whatever the feature (intake's
 * IntakeUnavailableError extends it). common/ knows no feature: the feature marks its error.
 */
export class UnavailableError extends Error {}

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

const UNREACHABLE_KINDS: ReadonlySet<unknown> = new Set([
  'DatabaseNotReachable',
  'DatabaseDoesNotExist',
  'DatabaseAccessDenied',
  'ConnectionClosed',
  'TooManyConnections',
  'SocketTimeout',
  'TlsConnectionError',
]);
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EHOSTUNREACH']);
// admin shutdown, cannot connect now, too many connections, connection exceptions, no such database
const POSTGRES_CODES = /^(57P0[1-3]|53300|08\d\d\d|3D000)$/;

/** What pg, Prisma's driver adapter, Node and the pool put on their errors; any of it may be absent. */
interface ErrorFields {
  name?: unknown;
  code?: string | number;
  message?: string;
  cause?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; code?: string | number; originalCode?: string } } };
}

/**
 * Whether an error means "the database is not there" (as opposed to a bad query), whichever
 * layer raised it: pg, Prisma's driver adapter, or the pool.
 */
export function isConnectionError(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error as ErrorFields | undefined; current && !seen.has(current); current = current.cause as ErrorFields | undefined) {
    seen.add(current);
    if (current instanceof UnavailableError) return true;
    const adapterCause = current.meta?.driverAdapterError?.cause;
    if (adapterCause && (UNREACHABLE_KINDS.has(adapterCause.kind) || POSTGRES_CODES.test(String(adapterCause.code ?? '')))) return true;
    const code = String(current.code ?? '');
    if (NODE_CODES.has(code) || POSTGRES_CODES.test(code) || ['P1001', 'P1002', 'P1017', 'P2024'].includes(code)) return true;
    // pg's own words: a pool's and a client's connect timeouts, a lost connection, query_timeout.
    if (
      /timeout exceeded when trying to connect|^timeout expired$|Connection terminated|Query read timeout/i.test(
        String(current.message ?? ''),
      )
    )
      return true;
  }
  return false;
}

/**
 * A write that lost a deadlock or a serialization conflict (PostgreSQL 40P01, 40001): it did
 * nothing, and the same write tried again can succeed.
 */
export function isWriteConflict(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error as ErrorFields | undefined; current && !seen.has(current); current = current.cause as ErrorFields | undefined) {
    seen.add(current);
    const adapterCause = current.meta?.driverAdapterError?.cause;
    if (adapterCause?.kind === 'TransactionWriteConflict') return true;
    if (/^(40001|40P01)$/.test(String(adapterCause?.originalCode ?? current.code ?? ''))) return true;
  }
  return false;
}

/**
 * An error as logs may show it: its name and code, never its message, which for database
 * errors can quote the values they choked on (patient data).
 */
export function describeError(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const name = error instanceof Error ? error.name : typeof error;
  return typeof code === 'string' || typeof code === 'number' ? `${name} ${code}` : name;
}
