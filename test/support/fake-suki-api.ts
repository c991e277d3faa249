import { createPublicKey, verify } from 'node:crypto';
import { createServer, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * How the fake answers one request to a path. Without status, body, malformed, truncated or
 * hang it answers as Suki documents (after checking the token).
 */
export interface FakeBehaviour {
  /** Wait this long before answering. */
  latencyMs?: number;
  status?: number;
  /** Sent as JSON, or as is when a string. */
  body?: unknown;
  headers?: Record<string, string>;
  /** 200 with JSON that does not parse. */
  malformed?: boolean;
  /** Announces the whole body, sends half of it, then cuts the connection. */
  truncated?: boolean;
  /** Never answers. */
  hang?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Date.now() when the request arrived. */
  receivedAt: number;
}

export interface FakeSukiOptions {
  /** The `sdp_suki_token` accepted besides those the login issued; null accepts none. */
  token?: string | null;
  /** Enables POST /api/v1/auth/login, verifying partner tokens with this key. */
  partner?: { partnerId: string; publicKeyPem: string; keyId?: string; tokenTtlSeconds?: number };
  /** Put into every note, transcript and structured data answer (see bodyFor). */
  marker?: string;
}

export interface FakeSukiApi {
  baseUrl: string;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  /**
   * Answers the next requests to `path` (a pathname, or '*' for any path without its own
   * script) with these behaviours in turn; the last one then stays.
   */
  script(path: string, ...behaviours: FakeBehaviour[]): void;
  /** What Suki's session status endpoint says for this session (default `completed`). */
  setSessionStatus(sessionId: string, status: string): void;
  setMarker(marker: string): void;
  /** Tokens issued so far stop working, as if they expired. */
  revokeIssuedTokens(): void;
  requestsTo(path: string): RecordedRequest[];
  /** The most requests that were ever being answered at once. */
  readonly peakConcurrency: number;
  close(): Promise<void>;
}

export const FAKE_SUKI_TOKEN = 'test-suki-token';
export const LOGIN_PATH = '/api/v1/auth/login';

const ROUTES: Array<{ pattern: RegExp; body(id: string, marker: string): unknown }> = [
  { pattern: /^\/api\/v1\/ambient\/session\/([^/]+)\/content$/, body: (id, marker) => noteFor(`session ${id}`, marker) },
  { pattern: /^\/api\/v1\/ambient\/encounter\/([^/]+)\/content$/, body: (id, marker) => noteFor(`encounter ${id}`, marker) },
  {
    pattern: /^\/api\/v1\/ambient\/session\/([^/]+)\/structured-data$/,
    body: (id, marker) => ({ structured_data: { diagnoses: diagnosesFor(`session ${id}`, marker) } }),
  },
  {
    pattern: /^\/api\/v1\/ambient\/encounter\/([^/]+)\/structured-data$/,
    body: (id, marker) => ({
      structured_data: {
        diagnoses: diagnosesFor(`encounter ${id}`, marker),
        orders: {
          medication_orders: {
            partial_values: [
              {
                drug_name: 'lisinopril',
                medication_code: { code: '29046', type: 'RXCUI' },
                instructions: `Once daily ${marker}`.trim(),
                number_of_refills: 2,
              },
            ],
          },
        },
      },
    }),
  },
  {
    pattern: /^\/api\/v1\/ambient\/session\/([^/]+)\/transcript$/,
    body: (id, marker) => ({
      final_transcript: [
        {
          transcript_id: '01JE8GP4RTHH0KDEGRSTRVPMGH',
          recording_id: id,
          transcript: `The patient has shown an allergy to pollen ${marker}`.trim(),
          lang_id: 'en',
          start_time: '2024-12-04T09:40:42.393948332Z',
          end_time: '2024-12-04T09:40:48.792948332Z',
          start_offset: { hours: 0, minutes: 6, seconds: 42, nanos: 80000000 },
          end_offset: { hours: 0, minutes: 6, seconds: 48, nanos: 80000000 },
        },
      ],
    }),
  },
];

function noteFor(owner: string, marker: string) {
  return {
    summary: [
      {
        title: 'ASSESSMENT AND PLAN',
        loinc_code: '18776-5',
        content: `Asthma exacerbation (${owner}) ${marker}`.trim(),
        source_transcripts: ['asthma', 'exacerbation'],
      },
    ],
    structured_data: [{ title: 'MEDICATIONS', data: { medication: 'albuterol', dosage: '2 puffs' } }],
  };
}

function diagnosesFor(owner: string, marker: string) {
  return {
    values: [
      {
        codes: [{ code: '30422', description: 'Essential hypertension', type: 'IMO' }],
        diagnosis_note: `Hypertension (${owner}) ${marker}`.trim(),
        laterality_indicator: 4,
        post_coord_lex_flag: 1,
      },
    ],
  };
}

/** The documented answer the fake gives for a content path, or undefined for an unknown path. */
export function bodyFor(path: string, marker = ''): unknown {
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (match) return route.body(decodeURIComponent(match[1]), marker);
  }
  return undefined;
}

const STATUS_PATH = /^\/api\/v1\/ambient\/session\/([^/]+)\/status$/;

/**
 * Suki's Ambient API as Suki documents it (authentication, results, errors), on a real HTTP server on an
 * ephemeral port: content, encounter content, structured data (both levels), transcript,
 * session status and partner login; every answer scriptable per path.
 */
export async function startFakeSukiApi(options: FakeSukiOptions = {}): Promise<FakeSukiApi> {
  const requests: RecordedRequest[] = [];
  const scripts = new Map<string, FakeBehaviour[]>();
  const statuses = new Map<string, string>();
  const accepted = new Set<string>();
  const issued = new Set<string>();
  const staticToken = options.token === undefined ? FAKE_SUKI_TOKEN : options.token;
  if (staticToken) accepted.add(staticToken);
  let marker = options.marker ?? '';
  let active = 0;
  let peak = 0;
  let issuedCount = 0;

  const nextBehaviour = (path: string): FakeBehaviour => {
    const queue = scripts.get(path) ?? scripts.get('*');
    if (!queue || queue.length === 0) return {};
    return queue.length > 1 ? queue.shift()! : queue[0];
  };

  const documented = (request: RecordedRequest): { status: number; body: unknown } => {
    if (request.method === 'POST' && request.path === LOGIN_PATH) return login(request);
    if (request.method !== 'GET') return { status: 405, body: { code: 405, message: 'method_not_allowed' } };
    const token = request.headers['sdp_suki_token'];
    if (typeof token !== 'string' || !accepted.has(token)) return { status: 401, body: { code: 401, message: 'invalid_sdp_token' } };
    const status = STATUS_PATH.exec(request.path);
    if (status) return { status: 200, body: { status: statuses.get(decodeURIComponent(status[1])) ?? 'completed' } };
    const body = bodyFor(request.path, marker);
    return body === undefined ? { status: 404, body: { code: 404, message: 'not_found' } } : { status: 200, body };
  };

  const login = (request: RecordedRequest): { status: number; body: unknown } => {
    const refuse = (message: string) => ({ status: 401, body: { code: 401, message } });
    if (!options.partner) return { status: 404, body: { code: 404, message: 'not_found' } };
    let payload: { partner_id?: unknown; partner_token?: unknown };
    try {
      payload = JSON.parse(request.body) as typeof payload;
    } catch {
      return { status: 400, body: { code: 400, message: 'invalid_request' } };
    }
    if (payload.partner_id !== options.partner.partnerId) return refuse('invalid_partner_id');
    if (typeof payload.partner_token !== 'string' || !verifyPartnerToken(payload.partner_token, options.partner))
      return refuse('invalid_partner_token');
    issuedCount += 1;
    const exp = Math.floor(Date.now() / 1000) + (options.partner.tokenTtlSeconds ?? 3600);
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: `issued-${issuedCount}`, exp })}.fake`;
    accepted.add(token);
    issued.add(token);
    return { status: 200, body: { suki_token: token } };
  };

  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = request.url ?? '/';
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      url,
      path: url.split('?')[0],
      headers: request.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      receivedAt: Date.now(),
    };
    requests.push(recorded);
    const behaviour = nextBehaviour(recorded.path);
    if (behaviour.latencyMs) await new Promise((resolve) => setTimeout(resolve, behaviour.latencyMs));
    if (behaviour.hang) return;
    const { status, body } = scriptedAnswer(behaviour) ?? documented(recorded);
    const text = behaviour.malformed ? '{"summary": [{"title": "ASSESSMENT' : typeof body === 'string' ? body : JSON.stringify(body);
    const bytes = Buffer.from(text);
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(bytes.length), ...behaviour.headers });
    if (behaviour.truncated) {
      response.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
      setTimeout(() => response.socket?.destroy(), 20);
      return;
    }
    response.end(bytes);
  };

  const server = createServer((request, response) => {
    active += 1;
    peak = Math.max(peak, active);
    response.on('close', () => (active -= 1));
    answer(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    script: (path, ...behaviours) => void scripts.set(path, behaviours),
    setSessionStatus: (sessionId, status) => void statuses.set(sessionId, status),
    setMarker: (value) => void (marker = value),
    revokeIssuedTokens: () => {
      for (const token of issued) accepted.delete(token);
    },
    requestsTo: (path) => requests.filter((request) => request.path === path),
    get peakConcurrency() {
      return peak;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const ERROR_IDS: Record<number, string> = {
  400: 'invalid_request',
  401: 'invalid_sdp_token',
  403: 'permission_denied',
  404: 'not_found',
  429: 'too_many_requests',
  500: 'internal_server_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'request_timeout',
};

/** The answer a behaviour fixes; undefined when the documented answer is wanted. */
function scriptedAnswer(behaviour: FakeBehaviour): { status: number; body: unknown } | undefined {
  const status = behaviour.status ?? 200;
  if (behaviour.body !== undefined) return { status, body: behaviour.body };
  if (status >= 300) return { status, body: { code: status, message: ERROR_IDS[status] ?? 'error' } };
  return undefined;
}

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** RS256 signature, key id and expiry of a partner token, as Suki checks them against a JWKS. */
function verifyPartnerToken(jwt: string, partner: NonNullable<FakeSukiOptions['partner']>): boolean {
  const [header, payload, signature] = jwt.split('.');
  if (!header || !payload || !signature) return false;
  try {
    const head = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown; kid?: unknown };
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    if (head.alg !== 'RS256' || (partner.keyId && head.kid !== partner.keyId)) return false;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return false;
    return verify(
      'RSA-SHA256',
      Buffer.from(`${header}.${payload}`),
      createPublicKey(partner.publicKeyPem),
      Buffer.from(signature, 'base64url'),
    );
  } catch {
    return false;
  }
}
