import { parseApiClients, sha256 } from '../config/api-clients';
import { authenticate, bearerToken } from './bearer-token';

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

describe('authenticate', () => {
  const problems: string[] = [];
  const clients = parseApiClients(
    `ehr:read+content:ehr-token-0123456789,support:read:sha256:${sha256('support-token-0123').toString('hex').toUpperCase()}`,
    'first-token-0123456789,second-token-0123456789',
    problems,
  );

  it('parses the clients it is tested with', () => expect(problems).toEqual([]));

  it.each([
    ['ehr-token-0123456789', 'ehr'],
    ['support-token-0123', 'support'],
    ['first-token-0123456789', 'token-1'],
    ['second-token-0123456789', 'token-2'],
    ['ehr-token-012345678', undefined],
    ['ehr-token-01234567890', undefined],
    ['EHR-TOKEN-0123456789', undefined],
    // The configured digest is not itself a token.
    [`sha256:${sha256('support-token-0123').toString('hex')}`, undefined],
    [sha256('support-token-0123').toString('hex'), undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j -> client %j', (token, name) => {
    expect(authenticate(token, clients)?.name).toBe(name);
  });

  it('accepts nothing when no client is configured', () => {
    expect(authenticate('anything', [])).toBeUndefined();
  });
});
