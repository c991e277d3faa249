import { isUsableId } from './vendor-id';

describe('isUsableId', () => {
  it.each([
    ['a953839a-ddcd-407d-b9b0-3ed4b6be4be2'],
    ['x'],
    ['x'.repeat(255)],
    [' a'],
    ['a '],
    ['a\u00a0b'],
    ['ünï "côde" / ? & = .'],
    ['emoji \u{1F600}'],
    ['...'],
    ['.a'],
    ['a..'],
  ])('keeps %j as it is', (id) => {
    expect(isUsableId(id)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['over-long', 'x'.repeat(256)],
    ['white space only', ' \u00a0\t'],
    ['NUL', 'a\u0000b'],
    ['a newline', 'a\nb'],
    ['DEL', 'a\u007fb'],
    ['NEL (U+0085)', 'a\u0085b'],
    ['a byte-order mark', '\ufeffbom'],
    ['a zero-width space', 'a\u200bb'],
    ['a right-to-left override', 'a\u202eb'],
    ['a bidi isolate', 'a\u2066b'],
    ['a soft hyphen', 'a\u00adb'],
    ['a line separator', 'a\u2028b'],
    ['a paragraph separator', 'a\u2029b'],
    ['a lone high surrogate', 'a\ud800'],
    ['a lone low surrogate', '\udc00a'],
    ['a language tag (Cf outside the BMP)', 'a\u{E0001}'],
    ['not a string', 7],
    ['a dot segment', '.'],
    ['a double-dot segment', '..'],
  ])('refuses %s', (_name, id) => {
    expect(isUsableId(id)).toBe(false);
  });
});
