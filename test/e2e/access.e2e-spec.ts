import { createHash, randomUUID } from 'node:crypto';
import { aSuccessNotification } from '../support/notifications';
import { TEST_INTERNAL_TOKEN } from '../support/test-app';
import { markArtifactReady, useQueryApp } from './query.support';

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

// One client per scope, one with every scope a reader of notes needs, and one configured by
// its token's digest only. The INTERNAL_API_TOKENS token of the test app is client token-1.
const TOKENS = {
  reader: 'reader-token-0123456789',
  clinician: 'clinician-token-0123456789',
  registrar: 'registrar-token-0123456789',
  admin: 'admin-token-0123456789',
  digested: 'digested-token-0123456789',
  'token-1': TEST_INTERNAL_TOKEN,
};
type ClientName = keyof typeof TOKENS;
const SCOPES_OF: Record<ClientName, string[]> = {
  reader: ['read'],
  clinician: ['read', 'content'],
  registrar: ['register'],
  admin: ['admin'],
  digested: ['read', 'content'],
  'token-1': ['read', 'content'],
};
const INTERNAL_API_CLIENTS = (['reader', 'clinician', 'registrar', 'admin'] as const)
  .map((name) => `${name}:${SCOPES_OF[name].join('+')}:${TOKENS[name]}`)
  .concat(`digested:${SCOPES_OF.digested.join('+')}:sha256:${digest(TOKENS.digested)}`)
  .join(',');

describe('internal clients and their scopes', () => {
  const { db, get, post, sut } = useQueryApp({ INTERNAL_API_CLIENTS });
  const baseUrl = () => sut().baseUrl;
  const sessionId = randomUUID();
  const encounterId = randomUUID();
  const NOTE = { note: 'Patient reports a mild headache.' };

  beforeAll(async () => {
    await post(aSuccessNotification({ session_id: sessionId, encounter_id: encounterId, sessions: [] }));
    await markArtifactReady(db(), sessionId, 'contents', NOTE);
    await markArtifactReady(db(), encounterId, 'encounter_content', NOTE);
  });

  // Every /v1 route, the scopes it needs, and what each client gets: the table the issue asks for.
  const endpoints: Array<{
    method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    path: () => string;
    body?: () => Record<string, unknown>;
    route: string;
    scopes: string[];
    answers: Record<ClientName, number>;
  }> = [
    ...[
      '/v1/sessions',
      '/v1/sessions/{sessionId}',
      '/v1/sessions/{sessionId}/events',
      '/v1/encounters',
      '/v1/encounters/{encounterId}',
      '/v1/events',
    ].map((route) => ({
      route,
      path: () => route.replace('{sessionId}', sessionId).replace('{encounterId}', encounterId),
      scopes: ['read'],
      answers: { reader: 200, clinician: 200, registrar: 403, admin: 403, digested: 200, 'token-1': 200 },
    })),
    ...[
      ['/v1/sessions/{sessionId}/artifacts/{kind}', () => `/v1/sessions/${sessionId}/artifacts/contents`] as const,
      ['/v1/encounters/{encounterId}/artifacts/{kind}', () => `/v1/encounters/${encounterId}/artifacts/encounter_content`] as const,
    ].map(([route, path]) => ({
      route,
      path,
      scopes: ['read', 'content'],
      answers: { reader: 403, clinician: 200, registrar: 403, admin: 403, digested: 200, 'token-1': 200 },
    })),
    {
      route: '/v1/audit',
      path: () => '/v1/audit',
      scopes: ['admin'],
      answers: { reader: 403, clinician: 403, registrar: 403, admin: 200, digested: 403, 'token-1': 403 },
    },
    {
      route: '/v1/artifacts',
      path: () => '/v1/artifacts',
      scopes: ['admin'],
      answers: { reader: 403, clinician: 403, registrar: 403, admin: 200, digested: 403, 'token-1': 403 },
    },
    {
      method: 'POST',
      route: '/v1/artifacts/retry',
      // Nothing has failed here: the admin's retry resets nothing, and says so.
      path: () => '/v1/artifacts/retry',
      scopes: ['admin'],
      answers: { reader: 403, clinician: 403, registrar: 403, admin: 202, digested: 403, 'token-1': 403 },
    },
    {
      route: '/v1/spool/quarantine',
      path: () => '/v1/spool/quarantine',
      scopes: ['admin'],
      answers: { reader: 403, clinician: 403, registrar: 403, admin: 200, digested: 403, 'token-1': 403 },
    },
    {
      method: 'POST',
      route: '/v1/spool/quarantine/retry',
      // Nothing is quarantined here: the admin's retry puts nothing back, and says so.
      path: () => '/v1/spool/quarantine/retry',
      scopes: ['admin'],
      answers: { reader: 403, clinician: 403, registrar: 403, admin: 202, digested: 403, 'token-1': 403 },
    },
    {
      method: 'PUT',
      route: '/v1/sessions/{sessionId}',
      // A new session each time: the registrar's registration creates it.
      path: () => `/v1/sessions/${randomUUID()}`,
      body: () => ({ encounterId }),
      scopes: ['register'],
      answers: { reader: 403, clinician: 403, registrar: 201, admin: 403, digested: 403, 'token-1': 403 },
    },
    {
      route: '/v1/subscriptions',
      path: () => '/v1/subscriptions',
      scopes: ['admin'],
      answers: { reader: 403, clinician: 403, registrar: 403, admin: 200, digested: 403, 'token-1': 403 },
    },
    {
      method: 'POST',
      route: '/v1/subscriptions',
      // A host not allowed: the admin's request is refused (400) and nothing is subscribed.
      path: () => '/v1/subscriptions',
      body: () => ({ url: 'http://127.0.0.2:9/hooks' }),
      scopes: ['admin'],
      answers: { reader: 403, clinician: 403, registrar: 403, admin: 400, digested: 403, 'token-1': 403 },
    },
    // No such subscription: the admin gets 404 from each, everyone else 403 before it is looked up.
    ...(
      [
        ['GET', '/v1/subscriptions/{id}'],
        ['PATCH', '/v1/subscriptions/{id}'],
        ['DELETE', '/v1/subscriptions/{id}'],
        ['POST', '/v1/subscriptions/{id}/rotate-secret'],
        ['POST', '/v1/subscriptions/{id}/replay'],
        ['POST', '/v1/subscriptions/{id}/test'],
        ['GET', '/v1/subscriptions/{id}/attempts'],
      ] as const
    ).map(([method, route]) => ({
      method,
      route,
      path: () => route.replace('{id}', 'no-such-subscription'),
      body: route.endsWith('/replay') ? () => ({ after: 'start' }) : undefined,
      scopes: ['admin'],
      answers: { reader: 403, clinician: 403, registrar: 403, admin: 404, digested: 403, 'token-1': 403 },
    })),
  ];
  /** GET, or POST / PUT with a JSON object (empty unless the endpoint needs one), as the endpoint takes. */
  const call = async (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | undefined,
    path: string,
    options: Parameters<typeof get>[1] = {},
    body: Record<string, unknown> = {},
  ) => {
    if (method === undefined || method === 'GET') return get(path, options);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.authorization !== undefined) headers.authorization = options.authorization;
    else if (options.token !== null) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(`${baseUrl()}${path}`, { method, headers, body: JSON.stringify(body) });
    return { status: response.status, body: await response.json(), headers: response.headers };
  };
  const cases = endpoints.flatMap((endpoint) =>
    (Object.keys(TOKENS) as ClientName[]).map((client) => ({ ...endpoint, client, expected: endpoint.answers[client] })),
  );

  it.each(cases)('$client: $route -> $expected', async ({ client, method, path, body, scopes, expected }) => {
    const answer = await call(method, path(), { token: TOKENS[client] }, body?.());
    expect(answer.status).toBe(expected);
    if (expected === 403) {
      expect(answer.headers.get('www-authenticate')).toBe(
        `Bearer realm="suki-notification-service", error="insufficient_scope", scope="${scopes.join(' ')}"`,
      );
      // The body names the scopes the client lacks, and those it has.
      const held = SCOPES_OF[client];
      const missing = scopes.filter((scope) => !held.includes(scope));
      expect(answer.body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: `this endpoint needs scope ${missing.join(' and ')}, which client ${client} does not have (it has ${held.join(', ')})`,
      });
      expect(JSON.stringify(answer.body)).not.toContain(NOTE.note);
    }
  });

  it.each(endpoints)('$route without a token, or with an unknown one, is 401', async ({ method, path, body }) => {
    for (const options of [{ token: null }, { token: 'not-a-client-token-0123' }, { authorization: `Basic ${TOKENS.admin}` }]) {
      const answer = await call(method, path(), options, body?.());
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="suki-notification-service"');
    }
  });

  it('serves note content to a client with content, and refuses it to a read-only client that still reads the state', async () => {
    const path = `/v1/sessions/${sessionId}/artifacts/contents`;
    expect((await get(path, { token: TOKENS.clinician })).body).toEqual(expect.objectContaining({ data: NOTE }));
    const refused = await get(path, { token: TOKENS.reader });
    expect(refused.status).toBe(403);
    expect((refused.body as { message: string }).message).toBe(
      'this endpoint needs scope content, which client reader does not have (it has read)',
    );
    const state = await get(`/v1/sessions/${sessionId}`, { token: TOKENS.reader });
    expect((state.body as { artifacts: unknown[] }).artifacts).toContainEqual(
      expect.objectContaining({ kind: 'contents', status: 'ready' }),
    );
    expect(JSON.stringify(state.body)).not.toContain(NOTE.note);
  });

  it('accepts a client configured by digest with its token, never with the digest itself', async () => {
    expect((await get('/v1/sessions', { token: TOKENS.digested })).status).toBe(200);
    expect((await get('/v1/sessions', { token: digest(TOKENS.digested) })).status).toBe(401);
    expect((await get('/v1/sessions', { token: `sha256:${digest(TOKENS.digested)}` })).status).toBe(401);
  });

  it('documents on every /v1 operation the scopes the guard enforces, and its 403', async () => {
    interface Operation {
      description?: string;
      responses: Record<string, unknown>;
      'x-required-scopes'?: string[];
    }
    const document = (await get('/docs-json', { token: null })).body as { paths: Record<string, Record<string, Operation>> };
    const documented = Object.entries(document.paths)
      .filter(([route]) => route.startsWith('/v1'))
      .flatMap(([route, item]) =>
        Object.values(item).map((operation) => [route, operation['x-required-scopes'], Object.keys(operation.responses).includes('403')]),
      );
    expect(documented.sort()).toEqual(endpoints.map((endpoint) => [endpoint.route, endpoint.scopes, true]).sort());
    expect(document.paths['/v1/audit'].get.description).toMatch(/^Requires scope `admin`\./);
    expect(document.paths['/v1/artifacts/retry'].post.description).toMatch(/^Requires scope `admin`\./);
  });
});
