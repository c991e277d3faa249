import { randomUUID } from 'node:crypto';
import type { ErrorBody } from '../../src/common/http-error';
import type { DeliveryOutcome } from '../../src/generated/prisma/enums';
import { sign } from '../../src/suki/signature';
import { TEST_WEBHOOK_SECRET } from './test-app';
import { expectDocumented } from './openapi-contract';

type Body = Record<string, unknown>;

/** A notification body as the builders below make it: the identifiers are always strings. */
export type TestNotification = Body & { session_id: string; encounter_id: string };
/** Fields to set or replace; the identifiers, when given, are strings like Suki's. */
type Overrides = Body & { session_id?: string; encounter_id?: string };

const LINK_PATHS: Record<string, (s: string, e: string) => string> = {
  contents: (s) => `/api/v1/ambient/session/${s}/content`,
  encounter_content: (_s, e) => `/api/v1/ambient/encounter/${e}/content`,
  structured_data: (s) => `/api/v1/ambient/session/${s}/structured-data`,
  encounter_structured_data: (_s, e) => `/api/v1/ambient/encounter/${e}/structured-data`,
  status: (s) => `/api/v1/ambient/session/${s}/status`,
  transcripts: (s) => `/api/v1/ambient/session/${s}/transcript`,
};

/** `_links` as Suki sends them: every key an array of link objects. */
export function linksFor(sessionId: string, encounterId: string, kinds = Object.keys(LINK_PATHS)): Body {
  return Object.fromEntries(
    kinds.map((kind) => [kind, [{ href: LINK_PATHS[kind](sessionId, encounterId), method: 'GET', name: kind, type: 'application/json' }]]),
  );
}

export function aSuccessNotification(overrides: Overrides = {}): TestNotification {
  const sessionId = overrides.session_id ?? randomUUID();
  const encounterId = overrides.encounter_id ?? randomUUID();
  return {
    _links: linksFor(sessionId, encounterId),
    additional_info: { priority: 'high' },
    encounter_id: encounterId,
    session_id: sessionId,
    sessions: [sessionId],
    status: 'success',
    ...overrides,
  };
}

export function aFailureNotification(overrides: Overrides = {}): TestNotification {
  return {
    encounter_id: randomUUID(),
    session_id: randomUUID(),
    error_code: 'ERROR_CODE_TRANSCRIPTION',
    error_detail: 'Error in transcription',
    status: 'failure',
    ...overrides,
  };
}

export function aTimeoutNotification(overrides: Overrides = {}): TestNotification {
  return { encounter_id: randomUUID(), session_id: randomUUID(), status: 'timeout', ...overrides };
}

export function aCancelledNotification(overrides: Overrides = {}): TestNotification {
  return { encounter_id: randomUUID(), session_id: randomUUID(), status: 'cancelled', ...overrides };
}

export interface PostOptions {
  generatedAt?: number | string;
  secret?: string;
  headers?: Record<string, string>;
  /** Send these exact bytes instead of JSON.stringify(body). */
  raw?: Buffer | string;
}

/**
 * What the webhook answers: `{ outcome }` when it took the notification, the error body when it
 * did not (a test asserts which; the type only lets it read either). Text if it was not JSON.
 */
export type WebhookAnswer = { outcome?: DeliveryOutcome | 'spooled' } & Partial<ErrorBody>;

export interface PostResult {
  status: number;
  body: WebhookAnswer;
}

/** POSTs a notification signed exactly as Suki signs it. */
export async function postNotification(baseUrl: string, body: Body | null, options: PostOptions = {}): Promise<PostResult> {
  const { status, body: answer } = await sendNotification(baseUrl, body, options);
  return { status, body: answer };
}

/** postNotification, also failing the test when the answer is not what the OpenAPI document says. */
export async function postDocumentedNotification(baseUrl: string, body: Body | null, options: PostOptions = {}): Promise<PostResult> {
  const { status, body: answer, headers } = await sendNotification(baseUrl, body, options);
  await expectDocumented(baseUrl, { method: 'POST', url: '/webhooks/notification' }, { status, body: answer, headers });
  return { status, body: answer };
}

async function sendNotification(baseUrl: string, body: Body | null, options: PostOptions): Promise<PostResult & { headers: Headers }> {
  const raw = Buffer.from(options.raw ?? JSON.stringify(body));
  const generatedAt = String(options.generatedAt ?? Date.now());
  const response = await fetch(`${baseUrl}/webhooks/notification`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'generated-at': generatedAt,
      'x-api-key': sign(raw, generatedAt, options.secret ?? TEST_WEBHOOK_SECRET),
      ...options.headers,
    },
    body: raw,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // non-JSON answers are returned as text
  }
  return { status: response.status, body: parsed as WebhookAnswer, headers: response.headers };
}
