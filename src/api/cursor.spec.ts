import { createHash } from 'node:crypto';
import { decodeCursor, encodeCursor, isBigintId, KeysetPosition } from './cursor';

describe('keyset cursors', () => {
  const position: KeysetPosition = { updatedAt: new Date('2026-11-27T10:11:12.345Z'), id: 'a953839a-ddcd-407d-b9b0-3ed4b6be4be2' };
  const scope = 'sessions?status=completed';

  it('round-trips a position within its scope', () => {
    expect(decodeCursor(encodeCursor(position, scope), scope)).toEqual(position);
  });

  it('round-trips ids with any printable characters', () => {
    const odd = { updatedAt: new Date(0), id: 'ünï "côde" / ? & = .' };
    expect(decodeCursor(encodeCursor(odd, scope), scope)).toEqual(odd);
  });

  it('is opaque: neither the id nor the time appear in it', () => {
    const cursor = encodeCursor(position, scope);
    expect(cursor).not.toContain(position.id);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('refuses a cursor issued for another list or other filters', () => {
    expect(decodeCursor(encodeCursor(position, scope), 'sessions?status=failed')).toBeUndefined();
    expect(decodeCursor(encodeCursor(position, scope), 'encounters?status=completed')).toBeUndefined();
  });

  it('refuses every single-character alteration', () => {
    const cursor = encodeCursor(position, scope);
    for (let i = 0; i < cursor.length; i += 1) {
      const replacement = cursor[i] === 'A' ? 'B' : 'A';
      const altered = cursor.slice(0, i) + replacement + cursor.slice(i + 1);
      expect(decodeCursor(altered, scope)).toBeUndefined();
    }
  });

  it.each([[''], ['.'], ['abc'], ['abc.def'], ['a.b.c'], ['%%%.***'], ['x'.repeat(5000)]])('refuses malformed cursor %j', (cursor) => {
    expect(decodeCursor(cursor, scope)).toBeUndefined();
  });

  // A correctly checked cursor must still hold a sane position: the check is not a secret.
  const withValidCheck = (payloadText: string) => {
    const payload = Buffer.from(payloadText, 'utf8').toString('base64url');
    const digest = createHash('sha256').update(`cursor/v1\n${scope}\n${payload}`, 'utf8').digest('base64url').slice(0, 22);
    return `${payload}.${digest}`;
  };

  it.each([
    ['before year 1', -62198755200000],
    ['past year 9999', 8.64e15],
  ])('refuses a well-formed cursor whose instant PostgreSQL cannot hold (%s)', (_name, ms) => {
    const forged = encodeCursor({ updatedAt: new Date(ms), id: 'x' }, 'sessions');
    expect(decodeCursor(forged, 'sessions')).toBeUndefined();
  });

  it('accepts a hand-built cursor with a valid check (the check format is stable)', () => {
    expect(decodeCursor(withValidCheck('[1764238272345,"s-1"]'), scope)).toEqual({ updatedAt: new Date(1764238272345), id: 's-1' });
  });

  it.each([
    ['not json'],
    ['{"updatedAt":1,"id":"x"}'],
    ['[1]'],
    ['["1","x"]'],
    ['[1.5,"x"]'],
    ['[1e300,"x"]'],
    ['[9000000000000000,"x"]'],
    ['[1,""]'],
    ['[1,"a\\u0000b"]'],
    [`[1,"${'x'.repeat(256)}"]`],
    ['[1,"x",3]'],
  ])('refuses checked payload %s that is not a position', (payloadText) => {
    expect(decodeCursor(withValidCheck(payloadText), scope)).toBeUndefined();
  });

  it.each([
    ['1', true],
    ['0', true],
    ['9223372036854775807', true],
    ['9223372036854775808', false],
    ['x', false],
    ['', false],
    ['01', false],
    ['-1', false],
    ['1.0', false],
    [' 1', false],
    ['1e3', false],
  ])('takes %j as a bigint row id: %s', (id, valid) => {
    expect(isBigintId(id)).toBe(valid);
    const cursor = encodeCursor({ updatedAt: new Date(0), id }, 'audit');
    expect(decodeCursor(cursor, 'audit', isBigintId) !== undefined).toBe(valid);
  });
});
