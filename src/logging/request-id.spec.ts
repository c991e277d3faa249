import { callerRequestIdOf } from './request-id';

describe('callerRequestIdOf', () => {
  it.each([
    ['a UUID', '6f1c2c1e-8f55-4e0b-9d7e-3f2a1b0c9d8e'],
    ['a trace-style id', 'Root=1-67891233-abcdef012345678912345678'],
    ['a short token', 'req42'],
    ['128 characters', 'a'.repeat(128)],
  ])("keeps the caller's id when it is %s", (_case, header) => {
    expect(callerRequestIdOf(header)).toBe(header);
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['too long', 'a'.repeat(129)],
    ['holding a space', 'abc def'],
    ['holding a newline', 'abc\ndef'],
    ['holding quotes or braces', 'x"},{"level":"fatal'],
    ['sent twice', ['a', 'b']],
    ['starting with punctuation', '-abc'],
  ])('keeps nothing when the header is %s', (_case, header) => {
    expect(callerRequestIdOf(header)).toBeUndefined();
  });
});
