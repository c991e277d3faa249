import { queryApi } from './query.support';

export interface FeedItem {
  id: string;
  type: string;
  occurredAt: string;
  sessionId: string | null;
  encounterId: string;
  status?: string;
  kind?: string;
}

/** Reads the feed from `after` until an answer comes back empty; returns everything and where it ended. */
export async function readToEnd(baseUrl: string, after = 'start', query = ''): Promise<{ items: FeedItem[]; cursor: string }> {
  const get = queryApi(baseUrl);
  const items: FeedItem[] = [];
  let cursor = after;
  for (;;) {
    const answer = await get(`/v1/events?after=${encodeURIComponent(cursor)}&limit=1000${query}`);
    if (answer.status !== 200) throw new Error(`GET /v1/events answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    items.push(...answer.body.items);
    cursor = answer.body.nextCursor;
    if (answer.body.items.length === 0) return { items, cursor };
  }
}
