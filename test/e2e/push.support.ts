import { pushApi } from '../support/push-api';
import { ReceivedDelivery } from '../support/push-receiver';
import { FeedItem } from './events.support';

export const PUSH_ADMIN = 'push-admin-token-0123456789abcdef';
/** An admin client (and the test's plain token for reading the feed). */
export const PUSH_ENV = { INTERNAL_API_CLIENTS: `ops:read+admin:${PUSH_ADMIN}` };

export interface Created {
  id: string;
  secret: string;
  cursor: string;
  url: string;
  status: string;
}

export async function subscribe(baseUrl: string, body: Record<string, unknown>): Promise<Created> {
  const answer = await pushApi<Created>(baseUrl, 'POST', '/v1/subscriptions', body, PUSH_ADMIN);
  if (answer.status !== 201) throw new Error(`POST /v1/subscriptions answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export const admin = <T = Record<string, unknown>>(
  baseUrl: string,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
) => pushApi<T>(baseUrl, method, path, body, PUSH_ADMIN);

/** The ordering key the service uses: the session, else the encounter, else the subscription. */
export function orderKey(event: { sessionId?: string | null; encounterId?: string | null; subscriptionId?: unknown }): string {
  if (event.sessionId) return `session:${event.sessionId}`;
  if (event.encounterId) return `encounter:${event.encounterId}`;
  return `subscription:${String(event.subscriptionId)}`;
}

/**
 * What a subscriber must see against the feed: every feed event delivered (2xx) at least once,
 * and per key the first deliveries in feed order. Returns the ids missing and the keys out of order.
 */
export function compareWithFeed(
  feed: FeedItem[],
  delivered: ReceivedDelivery[],
): { missing: string[]; outOfOrder: string[]; duplicates: number } {
  const got = new Set(delivered.map((d) => d.id));
  const missing = feed.filter((item) => !got.has(item.id)).map((item) => item.id);
  const feedOrder = new Map(feed.map((item, index) => [item.id, index]));
  const lastByKey = new Map<string, number>();
  const outOfOrder = new Set<string>();
  const seen = new Set<string>();
  for (const delivery of delivered) {
    if (seen.has(delivery.id)) continue;
    seen.add(delivery.id);
    const index = feedOrder.get(delivery.id);
    if (index === undefined) continue;
    const key = orderKey(delivery.event);
    if ((lastByKey.get(key) ?? -1) > index) outOfOrder.add(key);
    lastByKey.set(key, index);
  }
  return { missing, outOfOrder: [...outOfOrder], duplicates: delivered.length - seen.size };
}
