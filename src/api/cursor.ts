import { createHash } from 'node:crypto';
import { isUsableId } from '../suki/vendor-id';

/**
 * Where a page ended in a list ordered by (updated_at DESC, id DESC). The next page starts
 * strictly after it, so rows inserted or moved above it meanwhile cannot shift the pages.
 */
export interface KeysetPosition {
  updatedAt: Date;
  id: string;
}

const MAX_CURSOR_LENGTH = 1024;

/**
 * An opaque cursor: base64url(JSON [updatedAtMs, id]) "." check. The check digests the
 * position together with the list and filters it was issued for, so a cursor that was altered,
 * truncated or carried over to another query is refused (400) rather than silently paging
 * something else. It is tamper-evidence, not a secret: a cursor grants nothing that the
 * caller could not ask for with filters.
 */
export function encodeCursor(position: KeysetPosition, scope: string): string {
  const payload = Buffer.from(JSON.stringify([position.updatedAt.getTime(), position.id]), 'utf8').toString('base64url');
  return `${payload}.${check(payload, scope)}`;
}

/** The position a cursor names, or undefined when it is not one this service issued for scope. */
export function decodeCursor(cursor: string, scope: string): KeysetPosition | undefined {
  if (cursor.length > MAX_CURSOR_LENGTH) return undefined;
  const [payload, given, ...rest] = cursor.split('.');
  if (!payload || !given || rest.length > 0 || given !== check(payload, scope)) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) return undefined;
  const [ms, id] = decoded as unknown[];
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < MIN_INSTANT_MS || ms > MAX_INSTANT_MS || typeof id !== 'string')
    return undefined;
  const updatedAt = new Date(ms);
  if (Number.isNaN(updatedAt.getTime()) || !isUsableId(id)) return undefined;
  return { updatedAt, id };
}

// Instants PostgreSQL's timestamptz takes, with margin: years 0001 to 9999.
export const MIN_INSTANT_MS = new Date('0001-01-01T00:00:00Z').getTime();
export const MAX_INSTANT_MS = new Date('9999-12-31T23:59:59.999Z').getTime();

function check(payload: string, scope: string): string {
  return createHash('sha256').update(`cursor/v1\n${scope}\n${payload}`, 'utf8').digest('base64url').slice(0, 22);
}
