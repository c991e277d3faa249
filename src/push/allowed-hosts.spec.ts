import { addressAllowed, hostAllowed } from './allowed-hosts';

describe('allowed hosts', () => {
  const allowed = ['localhost', '127.0.0.1', 'hooks.example.com', '*.internal.example.com'];

  it.each([
    ['localhost', true],
    ['LOCALHOST', true],
    ['hooks.example.com', true],
    ['hooks.example.com.', true],
    ['a.internal.example.com', true],
    ['a.b.internal.example.com', true],
    ['internal.example.com', false],
    ['evil-internal.example.com', false],
    ['hooks.example.com.evil.net', false],
    ['127.0.0.2', false],
    ['localhost.example.com', false],
  ])('host %s allowed: %s', (host, expected) => {
    expect(hostAllowed(host, allowed)).toBe(expected);
  });

  it('allows nothing with an empty list (production default)', () => {
    expect(hostAllowed('localhost', [])).toBe(false);
  });

  it.each([
    ['localhost', '127.0.0.1', true],
    ['localhost', '::1', true],
    ['127.0.0.1', '127.0.0.1', true],
    ['a.internal.example.com', '10.1.2.3', true],
    ['hooks.example.com', '203.0.113.7', true],
    // DNS rebinding: an allowed name pointed at this machine or at the cloud metadata service.
    ['hooks.example.com', '127.0.0.1', false],
    ['hooks.example.com', '::ffff:127.0.0.1', false],
    ['a.internal.example.com', '169.254.169.254', false],
    ['a.internal.example.com', 'fe80::1', false],
    ['a.internal.example.com', '0.0.0.0', false],
    ['a.internal.example.com', '224.0.0.1', false],
    ['evil.example.net', '203.0.113.7', false],
  ])('connects %s at %s: %s', (host, address, expected) => {
    expect(addressAllowed(host, address, allowed)).toBe(expected);
  });
});
