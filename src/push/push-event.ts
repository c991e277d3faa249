import { FeedPosition } from '../events/event-cursor';
import { eventOutput } from '../events/event.output';
import { StoredEvent } from '../events/stored-event';
import { AttemptResult, QueuedEvent } from './dispatch-state';
import { PostOutcome } from './delivery.client';
import { AttemptResult as MetricResult } from './push.metrics';
import { parseRetryAfter } from './retry-schedule';

/** One feed event ready to send: its body exactly as GET /v1/events serves it, and its ordering key. */
export interface PushEvent extends QueuedEvent {
  id: string;
  body: string;
  occurredAt: number;
  sessionId: string | null;
}

/** A feed position as a set key. */
export function key(at: FeedPosition): string {
  return `${at.xid}:${at.position}`;
}

/** The session orders an event, else its encounter (encounter-level artifacts), else its subscription. */
export function toPushEvent(event: StoredEvent): PushEvent {
  const output = eventOutput(event);
  const orderKey =
    event.sessionId !== null
      ? `session:${event.sessionId}`
      : event.encounterId !== null
        ? `encounter:${event.encounterId}`
        : `subscription:${event.subscriptionId ?? ''}`;
  return {
    at: event.at,
    key: orderKey,
    id: output.id,
    body: JSON.stringify(output),
    occurredAt: Date.parse(event.occurredAt),
    sessionId: event.sessionId,
  };
}

/** What the dispatcher does with an answer: any 2xx delivers, 410 disables, 429/503 carry Retry-After. */
export function classify(outcome: PostOutcome, now: number): AttemptResult {
  const status = outcome.httpStatus;
  if (status !== undefined && status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 410) return { kind: 'gone' };
  if (status === 429 || status === 503) return { kind: 'failed', retryAfterMs: parseRetryAfter(outcome.retryAfter, now) };
  return { kind: 'failed' };
}

export function resultLabel(outcome: PostOutcome): MetricResult {
  const status = outcome.httpStatus;
  if (status === undefined) {
    if (outcome.error?.startsWith('timeout')) return 'timeout';
    if (outcome.error?.includes('not allowed')) return 'host_not_allowed';
    return 'connection_error';
  }
  if (status >= 200 && status < 300) return 'delivered';
  if (status >= 300 && status < 400) return 'redirect';
  return status === 410 ? 'gone' : 'http_error';
}
