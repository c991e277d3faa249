import { BadRequestException } from '@nestjs/common';
import { decodeCursor, encodeCursor, IdRule, KeysetPosition } from './cursor';
import { DEFAULT_PAGE_SIZE } from './page.input';

/**
 * Keyset pagination over (updated_at DESC, id DESC), shared by the session and encounter lists.
 *
 * The contract a client can rely on while notifications keep arriving: within one walk (first
 * page, then each nextCursor) no item is returned twice, and every item that did not change
 * during the walk is returned exactly once. A page starts strictly after the position where the
 * previous one ended, so rows inserted or updated meanwhile land above that position: new items
 * and items that changed during the walk are not in the rest of the walk; a fresh listing (or
 * updatedSince = the walk's start) returns them at the top.
 */

export interface Statement {
  name: string;
  text: string;
  values: unknown[];
}

export interface Filter {
  /** Names the filter in the prepared statement's name. */
  key: string;
  value: unknown;
  sql(param: string): string;
}

/** SELECT … WHERE <filters> [AND after the cursor] ORDER BY updated_at DESC, id DESC LIMIT n. */
export function keysetStatement(
  list: string,
  selectFrom: string,
  filters: Filter[],
  after: KeysetPosition | undefined,
  limit: number,
): Statement {
  const values: unknown[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  const used = filters.filter((filter) => filter.value !== undefined);
  const where = used.map((filter) => filter.sql(param(filter.value)));
  // A row comparison, which PostgreSQL answers with one range scan of the (updated_at, id) index.
  if (after) where.push(`(updated_at, id) < (${param(after.updatedAt.toISOString())}::timestamptz, ${param(after.id)})`);
  const text = `${selectFrom}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY updated_at DESC, id DESC LIMIT ${param(limit)}`;
  // Equal names must mean equal text: pg prepares a name once per connection.
  const name = [list, ...used.map((filter) => filter.key), after ? 'after' : 'first'].join(':');
  return { name, text, values };
}

/** What a cursor and its filters are bound to: the list and the filters, not the page size. */
export function pageScope(list: string, filters: Record<string, string | undefined>): string {
  const parts = Object.keys(filters)
    .sort()
    .filter((key) => filters[key] !== undefined)
    .map((key) => `${key}=${encodeURIComponent(filters[key]!)}`);
  return `${list}?${parts.join('&')}`;
}

export function readCursor(cursor: string | undefined, scope: string, isId?: IdRule): KeysetPosition | undefined {
  if (cursor === undefined) return undefined;
  const position = decodeCursor(cursor, scope, isId);
  if (!position)
    throw new BadRequestException(
      'cursor is not a cursor this service issued for these filters (pass nextCursor verbatim, with the same filters)',
    );
  return position;
}

export function pageSize(limit: number | undefined): number {
  return limit ?? DEFAULT_PAGE_SIZE;
}

/**
 * A page from up to limit + 1 rows: the extra row only tells that there is a next page, which
 * then starts after the last item returned.
 */
export function toPage<T>(
  rows: T[],
  limit: number,
  scope: string,
  positionOf: (item: T) => KeysetPosition,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? encodeCursor(positionOf(items[items.length - 1]), scope) : null;
  return { items, nextCursor };
}

/** The instant of an updatedSince value (validated by PageInput), or undefined. */
export function instant(value: string | undefined): string | undefined {
  return value === undefined ? undefined : new Date(value).toISOString();
}
