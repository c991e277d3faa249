import { ConfigValidationError } from './app-config';
import { ApiClient, parseApiClients, sha256 } from './api-clients';
import { loadConfig } from './load-config';

function parse(clients: string | undefined, tokens?: string): { clients: ApiClient[]; problems: string[] } {
  const problems: string[] = [];
  return { clients: parseApiClients(clients, tokens, problems), problems };
}

const DIGEST = sha256('support-token-0123').toString('hex');

describe('parseApiClients', () => {
  it('reads name:scopes:token entries, plain or as a sha256 digest, and plain INTERNAL_API_TOKENS', () => {
    const { clients, problems } = parse(
      ` ehr:read+content+register:ehr-token-0123456789 , support:read:sha256:${DIGEST.toUpperCase()},`,
      'token-a-0123456789,token-b-0123456789',
    );
    expect(problems).toEqual([]);
    expect(clients).toEqual([
      { name: 'ehr', scopes: ['read', 'content', 'register'], tokenSha256: sha256('ehr-token-0123456789') },
      { name: 'support', scopes: ['read'], tokenSha256: Buffer.from(DIGEST, 'hex') },
      { name: 'token-1', scopes: ['read', 'content'], tokenSha256: sha256('token-a-0123456789') },
      { name: 'token-2', scopes: ['read', 'content'], tokenSha256: sha256('token-b-0123456789') },
    ]);
  });

  it('keeps scopes in one order and once, whatever order they are given in', () => {
    expect(parse('ops:admin+read+admin:ops-token-0123456789').clients[0].scopes).toEqual(['read', 'admin']);
  });

  it('takes a token holding colons as it is (only the first two colons separate)', () => {
    expect(parse('x:read:abc:def:0123456789ab').clients[0].tokenSha256).toEqual(sha256('abc:def:0123456789ab'));
  });

  it.each<[string, string | undefined, string]>([
    ['no token', 'ehr:read', 'INTERNAL_API_CLIENTS entry 1 must be name:scopes:token'],
    ['no colon at all', 'ehr-token-0123456789', 'INTERNAL_API_CLIENTS entry 1 must be name:scopes:token'],
    [
      'a bad name',
      'e h r:read:ehr-token-0123456789',
      "INTERNAL_API_CLIENTS entry 1: the name must be 1 to 64 letters, digits, '.', '_' or '-'",
    ],
    [
      'an empty name',
      ':read:ehr-token-0123456789',
      "INTERNAL_API_CLIENTS entry 1: the name must be 1 to 64 letters, digits, '.', '_' or '-'",
    ],
    ['no scope', 'ehr::ehr-token-0123456789', 'INTERNAL_API_CLIENTS entry 1 (ehr) names no scope (scopes: read, content, register, admin)'],
    [
      'an unknown scope',
      'ehr:read+write:ehr-token-0123456789',
      'INTERNAL_API_CLIENTS entry 1 (ehr) has unknown scopes: write (known: read, content, register, admin)',
    ],
    ['a short token', 'ehr:read:short', 'INTERNAL_API_CLIENTS entry 1 (ehr): the token must be at least 16 characters'],
    ['a short digest', 'ehr:read:sha256:abcdef', 'INTERNAL_API_CLIENTS entry 1 (ehr): a sha256: token must be 64 hexadecimal digits'],
    [
      'a token a header cannot carry',
      'ehr:read:ehr token 0123456789',
      'INTERNAL_API_CLIENTS entry 1 (ehr): the token holds characters a bearer token cannot carry',
    ],
  ])('reports %s', (_case, entry, problem) => {
    const { clients, problems } = parse(entry);
    expect(problems).toEqual([problem]);
    expect(clients).toEqual([]);
  });

  it('reports a name or a token used twice, across both variables', () => {
    expect(parse('a:read:same-token-0123456789,a:admin:other-token-0123456789').problems).toEqual(['internal API client a is named twice']);
    expect(parse(`a:read:support-token-0123,b:admin:sha256:${DIGEST}`).problems).toEqual([
      'internal API clients a and b have the same token',
    ]);
    expect(parse('token-1:read:some-token-0123456789', 'other-token-0123456789').problems).toEqual([
      'internal API client token-1 is named twice',
    ]);
  });

  it('never puts a token into a problem', () => {
    const { problems } = parse('e h r:read+write:secret-token-0123 456', 'tok en');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).not.toMatch(/secret|0123|tok en/);
  });
});

describe('loadConfig with clients', () => {
  it('lists every malformed entry in one configuration error, with the other problems', () => {
    let error: unknown;
    try {
      loadConfig({ INTERNAL_API_CLIENTS: 'ehr:read,ops:root:ops-token-0123456789', RETENTION_DAYS: '0', PORT: 'x' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).problems).toEqual([
      'PORT must be a whole number from 0 to 65535',
      'INTERNAL_API_CLIENTS entry 1 must be name:scopes:token',
      'INTERNAL_API_CLIENTS entry 2 (ops) has unknown scopes: root (known: read, content, register, admin)',
      'RETENTION_DAYS must be a whole number from 1 to 36500',
    ]);
  });

  it('reads RETENTION_DAYS, and keeps everything when it is unset', () => {
    expect(loadConfig({ RETENTION_DAYS: '30' }).retentionDays).toBe(30);
    expect(loadConfig({}).retentionDays).toBeUndefined();
  });
});
