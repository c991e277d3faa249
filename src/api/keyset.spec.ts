import { BadRequestException } from '@nestjs/common';
import { decodeCursor } from './cursor';
import { keysetStatement, pageScope, readCursor, toPage } from './keyset';

describe('keysetStatement', () => {
  const filters = (status?: string, since?: string) => [
    { key: 'status', value: status, sql: (p: string) => `status = ${p}` },
    { key: 'since', value: since, sql: (p: string) => `updated_at >= ${p}` },
  ];
  const after = { updatedAt: new Date('2026-11-27T10:00:00.123Z'), id: 's-9' };

  it('orders newest first and asks one row more than the page', () => {
    expect(keysetStatement('sessions', 'SELECT x FROM sessions s', filters(), undefined, 51)).toEqual({
      name: 'sessions:first',
      text: 'SELECT x FROM sessions s ORDER BY updated_at DESC, id DESC LIMIT $1',
      values: [51],
    });
  });

  it('puts only the given filters and the cursor position into the statement', () => {
    expect(keysetStatement('sessions', 'SELECT x FROM sessions s', filters(undefined, '2026-01-01T00:00:00.000Z'), after, 11)).toEqual({
      name: 'sessions:since:after',
      text:
        'SELECT x FROM sessions s WHERE updated_at >= $1 AND (updated_at, id) < ($2::timestamptz, $3) ' +
        'ORDER BY updated_at DESC, id DESC LIMIT $4',
      values: ['2026-01-01T00:00:00.000Z', '2026-11-27T10:00:00.123Z', 's-9', 11],
    });
  });

  it('names statements by their shape, so one name never stands for two texts', () => {
    const shapes = [filters(), filters('failed'), filters(undefined, 'x'), filters('failed', 'x')].flatMap((f) =>
      [undefined, after].map((a) => keysetStatement('sessions', 'SELECT x FROM sessions s', f, a, 5)),
    );
    const textByName = new Map<string, string>();
    for (const { name, text } of shapes) {
      expect(textByName.get(name) ?? text).toBe(text);
      textByName.set(name, text);
    }
    expect(textByName.size).toBe(8);
  });
});

describe('pageScope', () => {
  it('binds the list and the given filters, in a stable order', () => {
    expect(pageScope('sessions', { status: 'failed', encounterId: 'e 1', updatedSince: undefined })).toBe(
      'sessions?encounterId=e%201&status=failed',
    );
    expect(pageScope('sessions', { encounterId: 'e 1', status: 'failed' })).toBe(
      pageScope('sessions', { status: 'failed', encounterId: 'e 1' }),
    );
    expect(pageScope('encounters', {})).toBe('encounters?');
  });
});

describe('toPage and readCursor', () => {
  const items = Array.from({ length: 4 }, (_, i) => ({ id: `s-${i}`, updatedAt: new Date(Date.UTC(2026, 10, 27, 10, 0, 0, 100 - i)) }));
  const positionOf = (item: (typeof items)[number]) => ({ updatedAt: item.updatedAt, id: item.id });

  it('returns a cursor after the last item only when there was one row more', () => {
    const page = toPage(items, 3, 'scope', positionOf);
    expect(page.items).toEqual(items.slice(0, 3));
    expect(decodeCursor(page.nextCursor!, 'scope')).toEqual(positionOf(items[2]));
    expect(toPage(items.slice(0, 3), 3, 'scope', positionOf)).toEqual({ items: items.slice(0, 3), nextCursor: null });
    expect(toPage([], 3, 'scope', positionOf)).toEqual({ items: [], nextCursor: null });
  });

  it('reads its own cursors back and refuses others with a 400 naming the cursor', () => {
    const { nextCursor } = toPage(items, 1, 'scope', positionOf);
    expect(readCursor(nextCursor!, 'scope')).toEqual(positionOf(items[0]));
    expect(readCursor(undefined, 'scope')).toBeUndefined();
    expect(() => readCursor(nextCursor!, 'other scope')).toThrow(BadRequestException);
    expect(() => readCursor('nonsense', 'scope')).toThrow(/^cursor /);
  });
});
