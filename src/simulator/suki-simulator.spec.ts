import { encounterContent, encounterStructuredData, sessionContent, sessionStructuredData, sessionTranscript } from './simulated-content';
import { startSukiSimulator, SukiSimulator } from './suki-simulator';

const TOKEN = 'dev-simulator-token';

describe('the Suki API simulator, over HTTP', () => {
  let simulator: SukiSimulator;

  beforeEach(async () => {
    simulator = await startSukiSimulator({ token: TOKEN });
  });

  afterEach(() => simulator.close());

  /** `token` null sends no sdp_suki_token header. */
  const get = (path: string, token: string | null = TOKEN, signal?: AbortSignal) =>
    fetch(`${simulator.url}${path}`, { headers: token === null ? {} : { sdp_suki_token: token }, signal });
  const answer = async (path: string, token: string | null = TOKEN) => {
    const response = await get(path, token);
    return { status: response.status, body: await response.json(), retryAfter: response.headers.get('retry-after') };
  };

  it('listens on the loopback interface', () => {
    expect(simulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers every documented path with its content, as JSON', async () => {
    const cases: Array<[string, unknown]> = [
      ['/api/v1/ambient/session/ses-9/content', sessionContent('ses-9')],
      ['/api/v1/ambient/session/ses-9/content?cumulative=true', sessionContent('ses-9')],
      ['/api/v1/ambient/session/ses-9/structured-data', sessionStructuredData('ses-9')],
      ['/api/v1/ambient/session/ses-9/transcript', sessionTranscript('ses-9')],
      ['/api/v1/ambient/encounter/enc-9/content', encounterContent('enc-9')],
      ['/api/v1/ambient/encounter/enc-9/structured-data', encounterStructuredData('enc-9')],
    ];
    for (const [path, body] of cases) {
      const response = await get(path);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect({ path, status: response.status, body: await response.json() }).toEqual({ path, status: 200, body });
    }
  });

  it('refuses a missing or wrong sdp_suki_token with 401 invalid_sdp_token', async () => {
    for (const token of [null, 'wrong', `${TOKEN}x`, '']) {
      expect(await answer('/api/v1/ambient/session/ses-1/content', token)).toMatchObject({
        status: 401,
        body: { code: 401, message: 'invalid_sdp_token' },
      });
    }
  });

  it('answers unknown paths 404 and other methods 405, shaped like Suki errors', async () => {
    expect(await answer('/api/v1/ambient/session/ses-1/recording')).toMatchObject({
      status: 404,
      body: { code: 404, message: 'not_found' },
    });
    const post = await fetch(`${simulator.url}/api/v1/ambient/session/ses-1/content`, {
      method: 'POST',
      headers: { sdp_suki_token: TOKEN },
    });
    expect(post.status).toBe(405);
    expect(await post.json()).toEqual({ code: 405, message: 'method_not_allowed' });
  });

  it('says completed for a session it made a note for, 404 for one it never had', async () => {
    expect(await answer('/api/v1/ambient/session/ses-2/status')).toMatchObject({ status: 404, body: { code: 404 } });
    await get('/api/v1/ambient/session/ses-2/transcript');
    expect(await answer('/api/v1/ambient/session/ses-2/status')).toMatchObject({ status: 200, body: { status: 'completed' } });
  });

  it('plays suki_fault=503x3 three times per URL, then answers', async () => {
    const content = '/api/v1/ambient/session/ses-3/content?suki_fault=503x3';
    const transcript = '/api/v1/ambient/session/ses-3/transcript?suki_fault=503x3';
    const statuses: number[] = [];
    for (const path of [content, content, transcript, content, content, transcript]) statuses.push((await get(path)).status);
    expect(statuses).toEqual([503, 503, 503, 503, 200, 503]);
    expect(await answer(content)).toEqual({ status: 200, body: sessionContent('ses-3'), retryAfter: null });
    expect(await answer(transcript)).toMatchObject({ status: 503, body: { code: 503, message: 'service_unavailable' } });
    expect((await get(transcript)).status).toBe(200);
  });

  it('asks for a second with Retry-After on a 429, and checks the token before any fault', async () => {
    const path = '/api/v1/ambient/encounter/enc-4/content?suki_fault=429';
    expect((await answer(path, 'wrong')).status).toBe(401);
    expect(await answer(path)).toEqual({ status: 429, body: { code: 429, message: 'too_many_requests' }, retryAfter: '1' });
    expect((await answer(path)).status).toBe(200);
  });

  it('refuses a fault it cannot read with 400 invalid_request', async () => {
    const { status, body } = await answer('/api/v1/ambient/session/ses-5/content?suki_fault=slow');
    expect(status).toBe(400);
    expect((body as { message: string }).message).toMatch(/^invalid_request: suki_fault must be /);
  });

  it('does not answer a timeout fault at all, and closes with the call still open', async () => {
    const path = '/api/v1/ambient/session/ses-6/content?suki_fault=timeout';
    await expect(get(path, TOKEN, AbortSignal.timeout(300))).rejects.toThrow();
    expect((await get(path)).status).toBe(200);

    const hanging = '/api/v1/ambient/session/ses-7/content?suki_fault=timeoutx5';
    const pending = get(hanging).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await simulator.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(String(await pending)).toMatch(/fetch failed/);
  });

  it('answers after suki_latency milliseconds', async () => {
    const started = performance.now();
    const { status, body } = await answer('/api/v1/ambient/session/ses-8/content?suki_latency=250');
    expect(performance.now() - started).toBeGreaterThanOrEqual(245);
    expect({ status, body }).toEqual({ status: 200, body: sessionContent('ses-8') });
  });

  it('refuses a call above suki_limit with 429 and Retry-After, across URLs, and admits again once one ends', async () => {
    const path = (id: string) => `/api/v1/ambient/session/${id}/content?suki_latency=400&suki_limit=2`;
    const [first, second, third] = await Promise.all([answer(path('a')), answer(path('b')), delayed(100, () => answer(path('c')))]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect({ status: third.status, retryAfter: third.retryAfter }).toEqual({ status: 429, retryAfter: '1' });
    expect((await answer(path('d'))).status).toBe(200);
  });

  it.each([
    ['suki_latency=fast', /^invalid_request: suki_latency must be milliseconds/],
    ['suki_latency=10001', /^invalid_request: suki_latency must be milliseconds/],
    ['suki_limit=0', /^invalid_request: suki_limit must be from 1 to 1000/],
  ])('refuses %s with 400 invalid_request', async (query, message) => {
    const { status, body } = await answer(`/api/v1/ambient/session/ses-9/content?${query}`);
    expect(status).toBe(400);
    expect((body as { message: string }).message).toMatch(message);
  });
});

function delayed<T>(ms: number, run: () => Promise<T>): Promise<T> {
  return new Promise((resolve) => setTimeout(resolve, ms)).then(run);
}
