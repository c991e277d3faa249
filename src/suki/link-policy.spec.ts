import { resolveLink } from './link-policy';

const SUKI = 'https://sdp.suki.ai';
const PATH = '/api/v1/ambient/session/f0543ac1-5203-4eaa-a0c2-3d2e0d7a2e94/content';

describe('resolveLink', () => {
  describe('allows, on the configured origin', () => {
    it.each([
      { name: 'a relative path', base: SUKI, href: PATH, url: `${SUKI}${PATH}` },
      { name: 'a relative path with a query', base: SUKI, href: `${PATH}?cumulative=true`, url: `${SUKI}${PATH}?cumulative=true` },
      { name: 'a relative path without a leading slash', base: SUKI, href: 'api/v1/x', url: `${SUKI}/api/v1/x` },
      { name: 'a same-origin absolute URL', base: SUKI, href: `${SUKI}${PATH}`, url: `${SUKI}${PATH}` },
      { name: 'a same-origin absolute URL in upper case', base: SUKI, href: `HTTPS://SDP.SUKI.AI${PATH}`, url: `${SUKI}${PATH}` },
      {
        name: 'a same-origin absolute URL naming the default port',
        base: SUKI,
        href: `https://sdp.suki.ai:443${PATH}`,
        url: `${SUKI}${PATH}`,
      },
      { name: 'a relative path that looks like userinfo', base: SUKI, href: '/@evil.com/x', url: `${SUKI}/@evil.com/x` },
      { name: 'a relative path that looks like a host', base: SUKI, href: 'evil.com/x', url: `${SUKI}/evil.com/x` },
      { name: 'a relative path with encoded slashes', base: SUKI, href: '/%2F%2Fevil.com/x', url: `${SUKI}/%2F%2Fevil.com/x` },
      {
        name: 'a relative path under a base path prefix',
        base: 'https://gw.example.org/suki',
        href: PATH,
        url: `https://gw.example.org/suki${PATH}`,
      },
      {
        name: 'a relative path under a base prefix with a trailing slash',
        base: 'https://gw.example.org/suki/',
        href: PATH,
        url: `https://gw.example.org/suki${PATH}`,
      },
      {
        name: 'a bare relative path under a base prefix',
        base: 'https://gw.example.org/suki/',
        href: 'api/v1/x',
        url: 'https://gw.example.org/suki/api/v1/x',
      },
      {
        name: 'an absolute URL on the origin of a prefixed base',
        base: 'https://gw.example.org/suki',
        href: `https://gw.example.org${PATH}`,
        url: `https://gw.example.org${PATH}`,
      },
      {
        name: 'dot segments, which stay on the origin',
        base: 'https://gw.example.org/suki',
        href: '/../../x',
        url: 'https://gw.example.org/x',
      },
      {
        name: 'an absolute URL on an http base with a port',
        base: 'http://127.0.0.1:8080',
        href: 'http://127.0.0.1:8080/x',
        url: 'http://127.0.0.1:8080/x',
      },
    ])('$name', ({ base, href, url }) => {
      expect(resolveLink(href, base)).toEqual({ allowed: true, url });
    });
  });

  describe('refuses', () => {
    it.each([
      { name: 'another host', base: SUKI, href: `https://evil.com${PATH}`, reason: /outside the Suki API origin \(https:\/\/evil\.com\)/ },
      { name: 'a look-alike subdomain', base: SUKI, href: `https://sdp.suki.ai.evil.com${PATH}`, reason: /outside the Suki API origin/ },
      {
        name: 'a full-width dot that normalises into another host',
        base: SUKI,
        href: `https://sdp.suki.ai\u3002evil.com${PATH}`,
        reason: /outside the Suki API origin/,
      },
      { name: 'another port', base: SUKI, href: `https://sdp.suki.ai:8443${PATH}`, reason: /outside the Suki API origin/ },
      { name: 'plain http to the same host', base: SUKI, href: `http://sdp.suki.ai${PATH}`, reason: /outside the Suki API origin/ },
      {
        name: 'another host of a local base',
        base: 'http://127.0.0.1:8080',
        href: 'http://localhost:8080/x',
        reason: /outside the Suki API origin/,
      },
      { name: 'another scheme', base: SUKI, href: `ftp://sdp.suki.ai${PATH}`, reason: /outside the Suki API origin/ },
      { name: 'a file URL', base: SUKI, href: 'file:///etc/passwd', reason: /outside the Suki API origin/ },
      { name: 'a javascript URL', base: SUKI, href: 'javascript:alert(1)', reason: /outside the Suki API origin/ },
      { name: 'a protocol-relative URL to another host', base: SUKI, href: '//evil.com/x', reason: /protocol-relative/ },
      { name: 'a protocol-relative URL to the same host', base: SUKI, href: `//sdp.suki.ai${PATH}`, reason: /protocol-relative/ },
      { name: 'userinfo that hides another host', base: SUKI, href: `https://sdp.suki.ai@evil.com${PATH}`, reason: /credentials|outside/ },
      { name: 'credentials for the right host', base: SUKI, href: `https://user:pw@sdp.suki.ai${PATH}`, reason: /credentials/ },
      { name: 'a user name alone', base: SUKI, href: `https://user@sdp.suki.ai${PATH}`, reason: /credentials/ },
      { name: 'a backslash that reads as a slash', base: SUKI, href: '/\\evil.com/x', reason: /backslashes/ },
      { name: 'backslashes in place of slashes', base: SUKI, href: 'https:\\\\evil.com\\x', reason: /backslashes/ },
      { name: 'a leading backslash pair', base: SUKI, href: '\\\\evil.com/x', reason: /backslashes/ },
      { name: 'a tab inside the host', base: SUKI, href: 'https://sdp.suki.ai\t.evil.com/x', reason: /whitespace/ },
      { name: 'a newline', base: SUKI, href: `${PATH}\n`, reason: /whitespace/ },
      { name: 'leading whitespace', base: SUKI, href: ` //evil.com${PATH}`, reason: /whitespace/ },
      { name: 'an empty href', base: SUKI, href: '', reason: /missing/ },
      { name: 'a missing href', base: SUKI, href: undefined, reason: /missing/ },
      { name: 'a non-string href', base: SUKI, href: { href: PATH }, reason: /missing/ },
      { name: 'an overlong href', base: SUKI, href: `/${'a'.repeat(3000)}`, reason: /too long/ },
      { name: 'an unparseable absolute URL', base: SUKI, href: 'https://[::1/x', reason: /not a valid URL/ },
      {
        name: 'another host under a prefixed base',
        base: 'https://gw.example.org/suki',
        href: `https://evil.com/suki${PATH}`,
        reason: /outside the Suki API origin/,
      },
    ])('$name', ({ base, href, reason }) => {
      const decision = resolveLink(href, base);
      expect(decision.allowed).toBe(false);
      if (!decision.allowed) {
        expect(decision.reason).toMatch(/^refused: /);
        expect(decision.reason).toMatch(reason);
      }
    });
  });
});
