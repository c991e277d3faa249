import { createHash } from 'node:crypto';

/**
 * A place in the feed: events are served in (xid, position) order, and a cursor names the last
 * one a consumer has seen. Both parts are PostgreSQL bigints, kept as bigint here.
 */
export interface FeedPosition {
  xid: bigint;
  position: bigint;
}

const MAX_BIGINT = 9_223_372_036_854_775_807n;
const DIGITS = /^(0|[1-9]\d{0,18})$/;
const MAX_CURSOR_LENGTH = 128;

/** Before every event there is. */
export const ORIGIN: FeedPosition = { xid: 0n, position: 0n };

/**
 * Past every event of transactions below `xmin` (the reading snapshot's): all of them are final,
 * so a consumer there has seen everything that can ever sort before it.
 */
export function frontier(xmin: bigint): FeedPosition {
  return { xid: xmin > 0n ? xmin - 1n : 0n, position: MAX_BIGINT };
}

export function compare(a: FeedPosition, b: FeedPosition): number {
  if (a.xid !== b.xid) return a.xid < b.xid ? -1 : 1;
  if (a.position !== b.position) return a.position < b.position ? -1 : 1;
  return 0;
}

export function later(a: FeedPosition, b: FeedPosition): FeedPosition {
  return compare(a, b) >= 0 ? a : b;
}

/**
 * Opaque: base64url("xid:position") "." check. The check makes an altered or truncated cursor a
 * 400 instead of a silent jump; it is tamper-evidence, not a secret (a cursor grants nothing).
 * Each event's id is its own cursor, so a consumer may resume after any event it stored.
 */
export function encodeFeedCursor(at: FeedPosition): string {
  const payload = Buffer.from(`${at.xid}:${at.position}`, 'utf8').toString('base64url');
  return `${payload}.${check(payload)}`;
}

/** The position a cursor names, or undefined when it is not one this service issued. */
export function decodeFeedCursor(cursor: string): FeedPosition | undefined {
  if (cursor.length > MAX_CURSOR_LENGTH) return undefined;
  const [payload, given, ...rest] = cursor.split('.');
  if (!payload || !given || rest.length > 0 || given !== check(payload)) return undefined;
  const [xid, position, ...more] = Buffer.from(payload, 'base64url').toString('utf8').split(':');
  if (more.length > 0 || !DIGITS.test(xid ?? '') || !DIGITS.test(position ?? '')) return undefined;
  const at = { xid: BigInt(xid), position: BigInt(position) };
  return at.xid <= MAX_BIGINT && at.position <= MAX_BIGINT ? at : undefined;
}

/** What `after` asks for: a cursor, the oldest retained event (`start`), or only new ones (`now`). */
export type FeedStart = { from: 'start' } | { from: 'now' } | { from: 'cursor'; at: FeedPosition };

export function readAfter(after: string | undefined): FeedStart | undefined {
  if (after === undefined || after === 'start') return { from: 'start' };
  if (after === 'now') return { from: 'now' };
  const at = decodeFeedCursor(after);
  return at ? { from: 'cursor', at } : undefined;
}

function check(payload: string): string {
  return createHash('sha256').update(`events-cursor/v1\n${payload}`, 'utf8').digest('base64url').slice(0, 16);
}
