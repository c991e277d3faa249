import { isPossibleId } from './query-params';

describe('isPossibleId', () => {
  it.each([
    ['a953839a-ddcd-407d-b9b0-3ed4b6be4be2', true],
    ['x', true],
    ['x'.repeat(255), true],
    ['', false],
    ['x'.repeat(256), false],
    ['a\u0000b', false],
    ['a\nb', false],
  ])('%j -> %s', (id, expected) => {
    expect(isPossibleId(id)).toBe(expected);
  });
});
