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
 * caller could not ask for with filters. Unkeyed on purpose: any replica, before or after a
 * restart or a secret's rotation, reads any other's cursors, with no key to share.
 */
export function encodeCursor(position: KeysetPosition, scope: string): string {
  const payload = Buffer.from(JSON.stringify([position.updatedAt.getTime(), position.id]), 'utf8').toString('base64url');
  return `${payload}.${check(payload, scope)}`;
}

/** Tells whether a cursor's id can be a row id of the list it pages: what the list's SQL compares it with. */
export type IdRule = (id: string) => boolean;

const BIGINT_DIGITS = /^(0|[1-9]\d{0,18})$/;
const MAX_BIGINT = 9_223_372_036_854_775_807n;

/** Ids of bigserial tables (the audit, artifacts): exactly what PostgreSQL's bigint takes. */
export const isBigintId: IdRule = (id) => BIGINT_DIGITS.test(id) && BigInt(id) <= MAX_BIGINT;

/**
 * The position a cursor names, or undefined when it is not one this service issued for scope.
 * Every part is validated in full, the id by the list's own rule: the check below is no secret,
 * so a forged cursor of valid shape must still be a 400, never a query that fails (a 500).
 */
export function decodeCursor(cursor: string, scope: string, isId: IdRule = isUsableId): KeysetPosition | undefined {
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
  if (Number.isNaN(updatedAt.getTime()) || !isId(id)) return undefined;
  return { updatedAt, id };
}

// Instants PostgreSQL's timestamptz takes, with margin: years 0001 to 9999.
export const MIN_INSTANT_MS = new Date('0001-01-01T00:00:00Z').getTime();
export const MAX_INSTANT_MS = new Date('9999-12-31T23:59:59.999Z').getTime();

function check(payload: string, scope: string): string {
  return createHash('sha256').update(`cursor/v1\n${scope}\n${payload}`, 'utf8').digest('base64url').slice(0, 22);
}
