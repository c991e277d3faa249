import { Webhook } from 'standardwebhooks';
import { signDelivery } from './delivery-signer';
import { newSigningSecret, SecretBox } from './secret-box';

describe('signing secrets', () => {
  it('are whsec_ and 32 random bytes, sealed so that only the same key and subscription open them', () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    const box = new SecretBox('key material');
    const sealed = box.seal(secret, 'sub-1');
    expect(sealed).not.toContain(secret.slice(6));
    expect(box.open(sealed, 'sub-1')).toBe(secret);
    expect(() => box.open(sealed, 'sub-2')).toThrow();
    expect(() => new SecretBox('other key').open(sealed, 'sub-1')).toThrow();
  });

  it('sign with every active secret, each verifying with the Standard Webhooks library', () => {
    const [current, previous] = [newSigningSecret(), newSigningSecret()];
    const body = JSON.stringify({ id: 'evt', type: 'session.completed' });
    const headers = signDelivery('evt', body, [current, previous], new Date());
    expect(headers['webhook-id']).toBe('evt');
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of [current, previous]) expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => new Webhook(newSigningSecret()).verify(body, { ...headers })).toThrow();
    expect(() => new Webhook(current).verify(`${body} `, { ...headers })).toThrow();
  });
});
