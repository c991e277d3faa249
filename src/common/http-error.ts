import { STATUS_CODES } from 'node:http';

/** The one error body every endpoint answers with. Never carries secrets or payload content. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

/** Errors that mean "the database is not there", whatever layer raised them. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current: any = error; current && !seen.has(current); current = current.cause) {
    seen.add(current);
    const code = String(current.code ?? '');
    const name = String(current.name ?? '');
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', '57P01', '57P03', '53300', 'P1001', 'P1017', 'P2024'].includes(code)) return true;
    if (name === 'IntakeUnavailableError' || /Prisma|DriverAdapter/.test(name)) return true;
    if (/timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED/i.test(String(current.message ?? ''))) return true;
  }
  return false;
}
