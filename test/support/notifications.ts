import { randomUUID } from 'node:crypto';
import { sign } from '../../src/webhooks/signature';
import { TEST_WEBHOOK_SECRET } from './test-app';

type Body = Record<string, unknown>;

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

export function aSuccessNotification(overrides: Body = {}): Body {
  const sessionId = (overrides.session_id as string) ?? randomUUID();
  const encounterId = (overrides.encounter_id as string) ?? randomUUID();
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

export function aFailureNotification(overrides: Body = {}): Body {
  return {
    encounter_id: randomUUID(),
    session_id: randomUUID(),
    error_code: 'ERROR_CODE_TRANSCRIPTION',
    error_detail: 'Error in transcription',
    status: 'failure',
    ...overrides,
  };
}

export function aTimeoutNotification(overrides: Body = {}): Body {
  return { encounter_id: randomUUID(), session_id: randomUUID(), status: 'timeout', ...overrides };
}

export function aCancelledNotification(overrides: Body = {}): Body {
  return { encounter_id: randomUUID(), session_id: randomUUID(), status: 'cancelled', ...overrides };
}

export interface PostOptions {
  generatedAt?: number | string;
  secret?: string;
  headers?: Record<string, string>;
  /** Send these exact bytes instead of JSON.stringify(body). */
  raw?: Buffer | string;
}

export interface PostResult {
  status: number;
  body: any;
}

/** POSTs a notification signed exactly as Suki signs it. */
export async function postNotification(baseUrl: string, body: Body | null, options: PostOptions = {}): Promise<PostResult> {
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
  return { status: response.status, body: parsed };
}
