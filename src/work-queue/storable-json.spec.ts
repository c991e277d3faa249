import { storableJson } from './storable-json';

describe('storableJson', () => {
  it.each([
    { name: 'plain JSON', value: { a: [1, 'two', null, true], b: { c: 'é✓' } }, json: '{"a":[1,"two",null,true],"b":{"c":"é✓"}}' },
    { name: 'a NUL in a value', value: { note: 'a\u0000b' }, json: '{"note":"a\uFFFDb"}' },
    { name: 'a NUL in a key', value: { 'k\u0000': 1 }, json: '{"k\uFFFD":1}' },
    { name: 'a lone high surrogate', value: ['x\uD800y'], json: '["x\uFFFDy"]' },
    { name: 'a lone low surrogate deep down', value: { a: { b: ['\uDC00'] } }, json: '{"a":{"b":["\uFFFD"]}}' },
    { name: 'a proper surrogate pair', value: { emoji: '\uD83D\uDE00' }, json: '{"emoji":"\uD83D\uDE00"}' },
    { name: 'a bare string', value: 'a\u0000', json: '"a\uFFFD"' },
    { name: 'a number', value: 42, json: '42' },
  ])('keeps $name storable', ({ value, json }) => {
    expect(storableJson(value)).toBe(json);
  });
});
