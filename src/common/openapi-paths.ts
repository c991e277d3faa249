import type { OperationObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import { AppConfig } from '../config/app-config';

/**
 * OpenAPI for the routes that are not described by decorators: Suki's webhook (its contract is
 * the vendor's, documented here in full so that it reads as one piece) and the operational
 * endpoints. Plain data, merged into the scanned document by openapi.ts.
 */

const ERROR = { $ref: '#/components/schemas/ErrorOutput' };

export const SUKI_SCHEMAS: Record<string, SchemaObject> = {
  SukiLink: {
    type: 'object',
    description: 'A link to a resource at Suki. Only relative hrefs (or absolute ones on the configured base URL) are ever called.',
    properties: {
      href: { type: 'string', example: '/api/v1/ambient/session/a953839a-ddcd-407d-b9b0-3ed4b6be4be2/content' },
      method: { type: 'string', example: 'GET' },
      name: { type: 'string', example: 'contents' },
      type: { type: 'string', example: 'application/json' },
    },
    additionalProperties: true,
  },
  SukiNotification: {
    type: 'object',
    description:
      'A notification as Suki sends it. Unknown fields are accepted and kept verbatim; optional fields of the wrong type are ' +
      'ignored. Only `session_id` and `encounter_id` are required (non-empty, at most 255 characters, no control characters).',
    required: ['status', 'session_id', 'encounter_id'],
    additionalProperties: true,
    properties: {
      status: {
        type: 'string',
        description:
          'Case-insensitive. `success` → completed; `failure` → failed; `timeout`, `timed_out`, `time_out`, `session_timeout` → ' +
          'timed_out; `cancelled`, `canceled`, `cancellation`, `aborted`, `session_cancelled` → cancelled; anything else is ' +
          'recorded and answered 202 `unrecognized`.',
        example: 'success',
      },
      session_id: { type: 'string', example: 'a953839a-ddcd-407d-b9b0-3ed4b6be4be2' },
      encounter_id: { type: 'string', example: '4d753ce1-bbff-43e1-950a-82dea2d86873' },
      sessions: {
        type: 'array',
        items: { type: 'string' },
        description: 'success: session ids of this encounter; each becomes a known session.',
      },
      additional_info: { type: 'object', additionalProperties: true, example: { priority: 'high' } },
      error_code: { type: 'string', description: 'failure: the error code.', example: 'ERROR_CODE_TRANSCRIPTION' },
      error_detail: { type: 'string', description: 'failure: details of the error, if any.', example: 'Error in transcription' },
      _links: {
        type: 'object',
        description: 'success: resources to retrieve, each key an array of links. Which keys are fetched is set by SUKI_FETCH_LINKS.',
        properties: Object.fromEntries(
          ['contents', 'encounter_content', 'structured_data', 'encounter_structured_data', 'transcripts', 'status'].map((key) => [
            key,
            { type: 'array', items: { $ref: '#/components/schemas/SukiLink' } },
          ]),
        ),
        additionalProperties: true,
      },
    },
  },
  WebhookOutcome: {
    type: 'object',
    required: ['outcome'],
    properties: { outcome: { type: 'string', enum: ['applied', 'duplicate', 'stale', 'unrecognized'] } },
  },
};

const SUCCESS_EXAMPLE = {
  _links: {
    contents: [
      {
        href: '/api/v1/ambient/session/a953839a-ddcd-407d-b9b0-3ed4b6be4be2/content',
        method: 'GET',
        name: 'contents',
        type: 'application/json',
      },
    ],
    encounter_content: [
      {
        href: '/api/v1/ambient/encounter/4d753ce1-bbff-43e1-950a-82dea2d86873/content',
        method: 'GET',
        name: 'encounter_content',
        type: 'application/json',
      },
    ],
  },
  additional_info: { priority: 'high' },
  encounter_id: '4d753ce1-bbff-43e1-950a-82dea2d86873',
  session_id: 'a953839a-ddcd-407d-b9b0-3ed4b6be4be2',
  sessions: ['20965414-929a-4f71-a3e5-b92bec07d086'],
  status: 'success',
};

const FAILURE_EXAMPLE = {
  encounter_id: '29de56bc-960a-4cd5-b18f-79a798d62874',
  session_id: '20965414-929a-4f71-a3e5-b92bec07d086',
  error_code: 'ERROR_CODE_TRANSCRIPTION',
  error_detail: 'Error in transcription',
  status: 'failure',
};

function outcome(description: string, values: string[]): ResponseObject {
  return {
    description,
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/WebhookOutcome' },
        examples: Object.fromEntries(values.map((value) => [value, { value: { outcome: value } }])),
      },
    },
  };
}

function error(description: string, statusCode: number, reason: string, message: string): ResponseObject {
  return { description, content: { 'application/json': { schema: ERROR, example: { statusCode, error: reason, message } } } };
}

export function webhookOperation(config: AppConfig): OperationObject {
  const toleranceSeconds = Math.round(config.webhook.toleranceMs / 1000);
  return {
    tags: ['webhooks'],
    summary: "Suki's notification callback (signed by Suki; no bearer token)",
    description:
      'Suki POSTs here once when an ambient session completes, fails, times out or is cancelled, and does not retry. ' +
      'The answer is sent only after the notification is committed, so any 2xx means it is durable.\n\n' +
      '**Signature.** `X-API-Key` = hex(HMAC-SHA256(secret, `generated-at` + ":" + raw body)) over the exact bytes sent, ' +
      'compared in constant time, either hex case, against every secret in SUKI_WEBHOOK_SECRETS. `generated-at` must be within ' +
      `${toleranceSeconds} s of the server clock, either way.\n\n` +
      '**State.** A session reflects the authentic event with the latest `generated-at` (ties: the later arrival). Older ones are ' +
      'kept in its timeline (GET /v1/sessions/{sessionId}/events). Exact repeats (same `generated-at`, same bytes) store nothing.',
    security: [],
    parameters: [
      {
        name: 'generated-at',
        in: 'header',
        required: true,
        description: 'When Suki built the request: milliseconds since the epoch, digits only. Part of the signed text.',
        schema: { type: 'string', pattern: '^[0-9]+$' },
        example: '1765977748432',
      },
      {
        name: 'X-API-Key',
        in: 'header',
        required: true,
        description: 'Not an API key: the hex HMAC-SHA256 signature of this request (see above).',
        schema: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
      },
    ],
    requestBody: {
      required: true,
      description: `A Suki notification, at most ${config.webhook.maxBodyBytes} bytes. Content-Type application/json (or application/*+json).`,
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/SukiNotification' },
          examples: { success: { value: SUCCESS_EXAMPLE }, failure: { value: FAILURE_EXAMPLE } },
        },
      },
    },
    responses: {
      '200': outcome(
        '`applied`: first receipt, recorded and applied (retrieval of its results queued). `duplicate`: the same notification ' +
          'again, nothing new written. `stale`: older than what the session reflects; kept for the timeline, session unchanged.',
        ['applied', 'duplicate', 'stale'],
      ),
      '202': outcome(
        '`unrecognized`: authentic, but a status the service does not know; kept verbatim, session known as pending, a status check scheduled.',
        ['unrecognized'],
      ),
      '400': error(
        'Authentic, but not JSON or without a usable session_id / encounter_id. It is still stored, marked rejected.',
        400,
        'Bad Request',
        'encounter_id is missing or not a usable id',
      ),
      '401': error(
        'generated-at or X-API-Key missing, malformed, outside the tolerance window (all refused before the body is read, ' +
          'and the connection closed), or not matching. Nothing is stored.',
        401,
        'Unauthorized',
        'notification signature rejected: mismatch',
      ),
      '413': error('Body over SUKI_WEBHOOK_MAX_BODY_BYTES. Nothing is stored.', 413, 'Payload Too Large', 'body exceeds the size limit'),
      '415': error(
        'Content-Type is not JSON, or the body has a Content-Encoding (the signature covers the bytes as sent; bodies are ' +
          'never inflated). Refused before the body is read; nothing is stored.',
        415,
        'Unsupported Media Type',
        'Content-Type must be application/json',
      ),
      '503': error(
        'The database is unavailable; nothing was stored (never a 2xx for data that is not durable).',
        503,
        'Service Unavailable',
        'storage is unavailable; nothing was recorded',
      ),
    },
  };
}

/** The operational endpoints of the service's contract (§4), without authentication. */
export const OPERATIONAL_OPERATIONS: Record<string, OperationObject> = {
  '/health/live': {
    tags: ['operations'],
    summary: 'Liveness: the process answers',
    security: [],
    responses: {
      '200': {
        description: 'The process is up.',
        content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } },
      },
    },
  },
  '/health/ready': {
    tags: ['operations'],
    summary: 'Readiness: the database is reachable and every migration is applied',
    security: [],
    responses: {
      '200': {
        description: 'Ready to serve.',
        content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } },
      },
      '503': {
        description: 'Not ready: the database is unreachable or migrations are pending.',
        content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } },
      },
    },
  },
  '/metrics': {
    tags: ['operations'],
    summary: 'Prometheus metrics (text exposition format)',
    security: [],
    responses: { '200': { description: 'Metrics.', content: { 'text/plain': { schema: { type: 'string' } } } } },
  },
};
