import { Webhook } from 'standardwebhooks';

/** The Standard Webhooks headers of one attempt. */
export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs one attempt with every active secret (the current one, and during a rotation's overlap
 * the previous one too): `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, space-separated. A
 * receiver holding either secret verifies it.
 */
export function signDelivery(eventId: string, body: string, secrets: readonly string[], at: Date): SignedHeaders {
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(eventId, at, body)).join(' '),
  };
}
