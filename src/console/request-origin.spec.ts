import { isSameOriginRequest } from './request-origin';

describe('isSameOriginRequest', () => {
  it.each<[string, Record<string, string>, boolean]>([
    [
      'same origin, both headers',
      { host: 'console.example:3000', origin: 'http://console.example:3000', 'sec-fetch-site': 'same-origin' },
      true,
    ],
    ['no browser headers (a script)', { host: 'console.example' }, true],
    ['typed into the address bar', { host: 'console.example', 'sec-fetch-site': 'none' }, true],
    ['another origin', { host: 'console.example', origin: 'https://evil.example' }, false],
    ['another port', { host: 'console.example:3000', origin: 'http://console.example:3001' }, false],
    ['another scheme', { host: 'console.example', origin: 'https://console.example' }, false],
    ['an opaque origin', { host: 'console.example', origin: 'null' }, false],
    ['a sibling site', { host: 'console.example', 'sec-fetch-site': 'same-site' }, false],
    [
      'a cross-site fetch with a matching Origin',
      { host: 'console.example', origin: 'http://console.example', 'sec-fetch-site': 'cross-site' },
      false,
    ],
  ])('%s', (_case, headers, expected) => {
    expect(isSameOriginRequest(headers, 'http')).toBe(expected);
  });
});
