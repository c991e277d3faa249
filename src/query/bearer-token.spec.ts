import { bearerToken, digestTokens, isAcceptedToken } from './bearer-token';

describe('bearerToken', () => {
  it.each([
    ['Bearer abc.def-123', 'abc.def-123'],
    ['bearer abc', 'abc'],
    ['BEARER  abc ', 'abc'],
    ['Bearer', undefined],
    ['Bearer ', undefined],
    ['Basic YWJjOmRlZg==', undefined],
    ['abc', undefined],
    ['Bearer a b', undefined],
    ['Bearer tök', undefined],
    [undefined, undefined],
    [['Bearer a', 'Bearer b'], undefined],
  ])('%j -> %j', (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });
});

describe('isAcceptedToken', () => {
  const accepted = digestTokens(['first-token', 'second-token']);

  it.each([
    ['first-token', true],
    ['second-token', true],
    ['first-toke', false],
    ['first-tokenx', false],
    ['FIRST-TOKEN', false],
    ['', false],
    [undefined, false],
  ])('%j -> %s', (token, expected) => {
    expect(isAcceptedToken(token, accepted)).toBe(expected);
  });

  it('accepts nothing when no token is configured', () => {
    expect(isAcceptedToken('anything', digestTokens([]))).toBe(false);
  });
});
