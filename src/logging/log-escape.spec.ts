import { Writable } from 'node:stream';
import { escapeNonPrinting } from './log-escape';
import { createRootLogger } from './root-logger';

describe('escapeNonPrinting', () => {
  it.each([
    ['NEL (U+0085)', 'a\u0085b', 'a\\u0085b'],
    ['DEL', 'a\u007fb', 'a\\u007fb'],
    ['a right-to-left override', 'evil\u202Etxt.exe', 'evil\\u202etxt.exe'],
    ['a byte-order mark', '\uFEFFbom', '\\ufeffbom'],
    ['a line separator', 'a\u2028b', 'a\\u2028b'],
    ['a zero-width joiner', 'a\u200Db', 'a\\u200db'],
    ['a format character outside the BMP', 'a\u{E0001}b', 'a\\udb40\\udc01b'],
  ])('escapes %s', (_name, raw, escaped) => {
    expect(escapeNonPrinting(JSON.stringify({ msg: raw }))).toBe(JSON.stringify({ msg: escaped }).replace(/\\\\/g, '\\'));
  });

  it('leaves printable text (accents, emoji, no-break space) and the line itself alone', () => {
    const line = JSON.stringify({ msg: 'Zoë 😀 a\u00a0b', n: 1 });
    expect(escapeNonPrinting(line)).toBe(line);
  });

  it('keeps the line the same JSON value', () => {
    const value = { msg: 'x\u0085\u202e\u2029y', key: { 'k\u200b': 'v\ufeff' } };
    expect(JSON.parse(escapeNonPrinting(JSON.stringify(value)))).toEqual(value);
  });
});

describe('the root logger', () => {
  it('writes no non-printing character raw, in messages, fields or keys', () => {
    let written = '';
    const sink = new Writable({ write: (chunk, _encoding, done) => ((written += String(chunk)), done()) });
    const logger = createRootLogger('info', sink);
    logger.info({ req: { headers: { 'user-agent': 'curl\u0085/8' } }, ['id\u202e']: 'x' }, 'session=a\u202eb c\u2028d');
    expect(written).not.toMatch(/[\u0080-\u009f\u202e\u2028]/);
    expect(written.endsWith('}\n')).toBe(true);
    expect(written).toContain('curl\\u0085/8');
    expect(written).toContain('session=a\\u202eb c\\u2028d');
    expect(JSON.parse(written)).toMatchObject({ msg: 'session=a\u202eb c\u2028d', req: { headers: { 'user-agent': 'curl\u0085/8' } } });
  });
});
