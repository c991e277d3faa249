import { isTransientStatus, classifyResponse, classifyTransportFailure, RawResponse, sukiErrorId } from './suki-response';

const now = Date.parse('2026-11-27T10:00:00Z');
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

function answer(status: number, body: string | object = '', headers: Record<string, unknown> = JSON_TYPE): RawResponse {
  return { status, headers, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) };
}

describe('classifyResponse', () => {
  it.each([
    { name: 'a JSON object', response: answer(200, { summary: [] }), data: { summary: [] } },
    { name: 'a JSON array', response: answer(200, [1, 2]), data: [1, 2] },
    { name: 'JSON without a content type', response: answer(200, { status: 'completed' }, {}), data: { status: 'completed' } },
    { name: 'a +json media type', response: answer(200, { a: 1 }, { 'content-type': 'application/vnd.suki+json' }), data: { a: 1 } },
    { name: 'another 2xx', response: answer(203, { a: 1 }), data: { a: 1 } },
  ])('accepts $name', ({ response, data }) => {
    expect(classifyResponse(response, now)).toEqual({ ok: true, data });
  });

  it.each([
    { name: 'truncated JSON', response: answer(200, '{"summary":[{"title":"A'), reason: 'response is not complete, valid JSON' },
    { name: 'an empty body', response: answer(200, ''), reason: 'response is not complete, valid JSON' },
    {
      name: 'invalid UTF-8',
      response: { status: 200, headers: JSON_TYPE, body: Buffer.from([0x22, 0xff, 0x22]) },
      reason: 'response is not complete, valid JSON',
    },
    {
      name: 'HTML from a proxy',
      response: answer(200, '<html></html>', { 'content-type': 'text/html' }),
      reason: 'response is not JSON (text/html)',
    },
  ])('counts $name as a failed attempt worth retrying', ({ response, reason }) => {
    expect(classifyResponse(response, now)).toEqual({ ok: false, retryable: true, reason });
  });

  it.each([
    {
      status: 500,
      body: { code: 500, message: 'internal_server_error' },
      headers: JSON_TYPE,
      reason: 'HTTP 500: internal_server_error',
      after: undefined,
    },
    { status: 502, body: '<html>bad gateway</html>', headers: { 'content-type': 'text/html' }, reason: 'HTTP 502', after: undefined },
    { status: 503, body: '', headers: { 'retry-after': '30' }, reason: 'HTTP 503', after: 30_000 },
    {
      status: 429,
      body: { code: 429, message: 'too_many_requests' },
      headers: { 'retry-after': '2' },
      reason: 'HTTP 429: too_many_requests',
      after: 2_000,
    },
    { status: 429, body: '', headers: { 'retry-after': 'Fri, 27 Nov 2026 10:00:05 GMT' }, reason: 'HTTP 429', after: 5_000 },
  ])('retries HTTP $status ($reason, Retry-After $after)', ({ status, body, headers, reason, after }) => {
    expect(classifyResponse(answer(status, body, headers), now)).toEqual({
      ok: false,
      retryable: true,
      reason,
      retryAfterMs: after,
      httpStatus: status,
    });
  });

  it.each([
    { status: 404, body: { code: 404, message: 'not_found' }, reason: 'HTTP 404: not_found' },
    {
      status: 400,
      body: { code: 400, message: 'invalid_ambient_id_format: id must be a UUID' },
      reason: 'HTTP 400: invalid_ambient_id_format',
    },
    { status: 403, body: { code: 403, message: 'sbac_denied' }, reason: 'HTTP 403: sbac_denied' },
    // Free text is never copied: it could name a patient.
    { status: 400, body: { code: 400, message: 'invalid request' }, reason: 'HTTP 400' },
    { status: 422, body: 'not json', reason: 'HTTP 422' },
    { status: 302, body: '', reason: 'HTTP 302: redirects are not followed' },
    { status: 405, body: '', reason: 'HTTP 405' },
    { status: 410, body: '', reason: 'HTTP 410' },
  ])('fails HTTP $status for good ($reason)', ({ status, body, reason }) => {
    expect(classifyResponse(answer(status, body), now)).toEqual({ ok: false, retryable: false, reason });
  });

  it.each([
    { status: 402, message: 'over_quota' },
    { status: 408, message: 'request_timeout' },
    { status: 409, message: 'conflict' },
    { status: 412, message: 'provider_user_inactive' },
    { status: 425, message: 'too_early' },
    { status: 499, message: 'request_cancelled' },
  ])('retries HTTP $status ($message) on the horizon', ({ status, message }) => {
    expect(classifyResponse(answer(status, { code: status, message }, { 'retry-after': '3' }), now)).toEqual({
      ok: false,
      retryable: true,
      reason: `HTTP ${status}: ${message}`,
      retryAfterMs: 3_000,
      httpStatus: status,
    });
  });

  it('retries a 401 (one that outlived a token refresh) and marks it as a credentials problem', () => {
    expect(classifyResponse(answer(401, { code: 401, message: 'invalid_sdp_token' }), now)).toEqual({
      ok: false,
      retryable: true,
      reason: 'HTTP 401: invalid_sdp_token',
      retryAfterMs: undefined,
      httpStatus: 401,
      auth: true,
    });
  });

  it('classifies every status Suki documents as the table in docs/architecture.md says', () => {
    const transient = [401, 402, 408, 409, 412, 425, 429, 499, 500, 502, 503, 504];
    const permanent = [300, 302, 400, 403, 404, 405, 406, 410, 413, 415, 422, 451];
    expect(transient.filter((status) => !isTransientStatus(status))).toEqual([]);
    expect(permanent.filter((status) => isTransientStatus(status))).toEqual([]);
  });
});

describe('classifyTransportFailure', () => {
  it.each([
    {
      failure: { code: 'ECONNREFUSED', timedOut: false, tooLarge: false },
      expected: { ok: false, retryable: true, reason: 'network error (ECONNREFUSED)' },
    },
    {
      failure: { code: 'ERR_CANCELED', timedOut: true, tooLarge: false },
      expected: { ok: false, retryable: true, reason: 'no complete answer within 1500 ms' },
    },
    {
      failure: { code: 'ERR_BAD_RESPONSE', timedOut: false, tooLarge: false },
      expected: { ok: false, retryable: true, reason: 'network error (ERR_BAD_RESPONSE)' },
    },
    {
      failure: { code: 'weird code with spaces', timedOut: false, tooLarge: false },
      expected: { ok: false, retryable: true, reason: 'network error (unknown)' },
    },
    { failure: { timedOut: false, tooLarge: false }, expected: { ok: false, retryable: true, reason: 'network error (unknown)' } },
    {
      failure: { code: 'ERR_BAD_RESPONSE', timedOut: false, tooLarge: true },
      expected: { ok: false, retryable: false, reason: 'response exceeds the size limit' },
    },
  ])('classifies $failure', ({ failure, expected }) => {
    expect(classifyTransportFailure(failure, 1500)).toEqual(expected);
  });
});

describe('sukiErrorId', () => {
  it.each([
    { body: '{"code":401,"message":"invalid_sdp_token"}', id: 'invalid_sdp_token' },
    { body: '{"code":401,"message":"invalid_sdp_token: token expired at 10:00"}', id: 'invalid_sdp_token' },
    { body: '{"code":400,"message":"  missing_sdp_provider_id_header "}', id: 'missing_sdp_provider_id_header' },
    { body: '{"code":400,"message":"Patient Jane Doe: not found"}', id: undefined },
    { body: '{"code":400,"message":42}', id: undefined },
    { body: '{"code":400}', id: undefined },
    { body: 'null', id: undefined },
    { body: '<html>', id: undefined },
  ])('reads $body as $id', ({ body, id }) => {
    expect(sukiErrorId(Buffer.from(body))).toBe(id);
  });
});
