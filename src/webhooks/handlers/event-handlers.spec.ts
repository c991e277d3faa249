import { loadConfig } from '../../config/load-config';
import { IntakeRecord, SignedDelivery } from '../intake-record';
import { parseNotification } from '../../suki/notification';
import { eventOf, NotificationEvent, NotificationHandler } from './notification-handler';
import { RejectedNotificationHandler } from './rejected-notification.handler';
import { SessionCancelledHandler } from './session-cancelled.handler';
import { SessionCompletedHandler } from './session-completed.handler';
import { SessionFailedHandler } from './session-failed.handler';
import { SessionTimedOutHandler } from './session-timed-out.handler';
import { UnrecognizedStatusHandler } from './unrecognized-status.handler';
import { EVENT_HANDLERS } from './event-handlers';

const config = loadConfig({});
const handlers: NotificationHandler[] = [
  new SessionCompletedHandler(config),
  new SessionFailedHandler(),
  new SessionTimedOutHandler(),
  new SessionCancelledHandler(),
  new UnrecognizedStatusHandler(),
  new RejectedNotificationHandler(),
];
const byEvent = new Map(handlers.map((handler) => [handler.handles, handler]));

/** The record the dispatcher would submit for this body: the same lookup, the same parse. */
function recordOf(delivery: SignedDelivery): { event: NotificationEvent; record: IntakeRecord } {
  const parsed = parseNotification(delivery.rawBody);
  const event = eventOf(parsed);
  return { event, record: byEvent.get(event)!.toRecord(delivery, parsed) };
}

const deliveryOf = (body: unknown): SignedDelivery => ({
  rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  generatedAtMs: 1_764_000_000_000,
  receivedAt: new Date(1_764_000_000_500),
});

/** Suki's documented status endpoint for a session; `href` given where the id needs escaping. */
const statusCheck = (sessionId: string, href = `/api/v1/ambient/session/${sessionId}/status`) => ({
  kind: 'status',
  ownerId: sessionId,
  sessionId,
  href,
});

/** What every attributed record carries, for a body naming session s-1 of encounter e-1. */
const shared = { sessionId: 's-1', encounterId: 'e-1', additionalInfo: undefined, links: undefined, knownSessions: [], artifacts: [] };

const TABLE: Array<{ name: string; body: unknown; event: NotificationEvent; record: Record<string, unknown> }> = [
  {
    name: 'a success queues the configured links, owned by session or encounter, refusing foreign hosts',
    body: {
      session_id: 's-1',
      encounter_id: 'e-1',
      status: 'success',
      sessions: ['s-1', 's-2', 's-1'],
      additional_info: { priority: 'high' },
      _links: {
        contents: [{ href: '/api/v1/ambient/session/s-1/content' }],
        encounter_content: { href: '/api/v1/ambient/encounter/e-1/content' },
        transcripts: [{ href: 'https://elsewhere.example/t' }],
        audio: [{ href: '/not/fetched' }],
      },
    },
    event: 'completed',
    record: {
      ...shared,
      vendorStatus: 'success',
      sessionStatus: 'completed',
      additionalInfo: { priority: 'high' },
      links: {
        contents: [{ href: '/api/v1/ambient/session/s-1/content' }],
        encounter_content: { href: '/api/v1/ambient/encounter/e-1/content' },
        transcripts: [{ href: 'https://elsewhere.example/t' }],
        audio: [{ href: '/not/fetched' }],
      },
      knownSessions: ['s-2'],
      artifacts: [
        { kind: 'contents', ownerId: 's-1', sessionId: 's-1', href: '/api/v1/ambient/session/s-1/content', refusal: undefined },
        { kind: 'encounter_content', ownerId: 'e-1', sessionId: null, href: '/api/v1/ambient/encounter/e-1/content', refusal: undefined },
        {
          kind: 'transcripts',
          ownerId: 's-1',
          sessionId: 's-1',
          href: 'https://elsewhere.example/t',
          refusal: expect.stringMatching(/^refused: /),
        },
      ],
    },
  },
  {
    name: 'a failure keeps its error code and detail and asks for nothing',
    body: { session_id: 's-1', encounter_id: 'e-1', status: 'failure', error_code: 'E42', error_detail: 'no audio', sessions: ['s-2'] },
    event: 'failed',
    record: { ...shared, vendorStatus: 'failure', sessionStatus: 'failed', errorCode: 'E42', errorDetail: 'no audio' },
  },
  {
    name: 'a timeout is confirmed by one status check',
    body: { session_id: 's-1', encounter_id: 'e-1', status: 'TIMEOUT' },
    event: 'timed_out',
    record: { ...shared, vendorStatus: 'TIMEOUT', sessionStatus: 'timed_out', artifacts: [statusCheck('s-1')] },
  },
  {
    name: 'a cancellation is confirmed by one status check',
    body: { session_id: 's/1', encounter_id: 'e-1', status: 'canceled' },
    event: 'cancelled',
    record: {
      ...shared,
      sessionId: 's/1',
      vendorStatus: 'canceled',
      sessionStatus: 'cancelled',
      artifacts: [statusCheck('s/1', '/api/v1/ambient/session/s%2F1/status')],
    },
  },
  {
    name: 'an unknown status changes no status and is settled by a status check',
    body: { session_id: 's-1', encounter_id: 'e-1', status: 'paused_for_review' },
    event: 'unrecognized',
    record: { ...shared, vendorStatus: 'paused_for_review', sessionStatus: undefined, artifacts: [statusCheck('s-1')] },
  },
  {
    name: 'a body with no usable session id is kept with its reason and touches no session',
    body: { encounter_id: 'e-1', status: 'success' },
    event: 'rejected',
    record: { vendorStatus: 'success', rejectReason: 'session_id is missing or not a usable id', knownSessions: [], artifacts: [] },
  },
  {
    name: 'a body that is not JSON is kept with its reason',
    body: 'not json',
    event: 'rejected',
    record: { vendorStatus: undefined, rejectReason: 'body is not valid UTF-8 JSON', knownSessions: [], artifacts: [] },
  },
];

describe('event handlers', () => {
  it.each(TABLE)('$name', ({ body, event, record }) => {
    const delivery = deliveryOf(body);
    const result = recordOf(delivery);
    expect(result.event).toBe(event);
    expect(result.record).toStrictEqual({ delivery, ...record });
  });

  it('are pure: the same delivery makes the same record twice', () => {
    for (const { body } of TABLE) {
      const delivery = deliveryOf(body);
      expect(recordOf(delivery).record).toStrictEqual(recordOf(delivery).record);
    }
  });

  it('are registered one per event, the rejected body included', () => {
    expect(EVENT_HANDLERS).toHaveLength(handlers.length);
    expect(new Set(handlers.map((handler) => handler.handles))).toEqual(
      new Set(['completed', 'failed', 'timed_out', 'cancelled', 'unrecognized', 'rejected']),
    );
    for (const handler of handlers) expect(EVENT_HANDLERS).toContain(handler.constructor);
  });

  it('refuse a body of the wrong kind rather than guess', () => {
    const delivery = deliveryOf({ session_id: 's-1', encounter_id: 'e-1', status: 'success' });
    const attributed = parseNotification(delivery.rawBody);
    const unattributed = parseNotification(Buffer.from('[]'));
    expect(() => byEvent.get('rejected')!.toRecord(delivery, attributed)).toThrow(/attributable/);
    expect(() => byEvent.get('completed')!.toRecord(delivery, unattributed)).toThrow(/unattributable/);
  });
});
