import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { LOGIN_PATH } from '../support/fake-suki-api';
import { aSuccessNotification, linksFor, postNotification } from '../support/notifications';
import { useTestApp } from '../support/use-test-app';
import { FAST_RETRIEVAL, settledArtifacts } from './retrieval.support';

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

/** `partner` mode: a signed partner token is exchanged at Suki's login for the suki_token. */
describe('retrieval in partner mode', () => {
  const {
    db,
    sut,
    suki: fake,
  } = useTestApp({
    suki: { token: null, partner: { partnerId: 'partner-1', publicKeyPem: publicKey, keyId: 'key-1' } },
    env: {
      ...FAST_RETRIEVAL,
      SUKI_API_TOKEN: '',
      SUKI_AUTH_MODE: 'partner',
      SUKI_PARTNER_ID: 'partner-1',
      // As an operator would put a PEM into one line of an env file.
      SUKI_PARTNER_PRIVATE_KEY: privateKey.replace(/\n/g, '\\n'),
      SUKI_PARTNER_KEY_ID: 'key-1',
      SUKI_PARTNER_ISSUER: 'https://idp.example.org',
      SUKI_PARTNER_USER: 'scribe@example.org',
      SUKI_PROVIDER_ID: 'provider-7',
      SUKI_MAX_CONCURRENCY: '8',
    },
  });

  const logins = () => fake().requestsTo(LOGIN_PATH);
  const fetches = () => fake().requests.filter((request) => request.path !== LOGIN_PATH);

  async function successes(count: number): Promise<string[]> {
    const bodies = Array.from({ length: count }, () => aSuccessNotification());
    const answers = await Promise.all(bodies.map((body) => postNotification(sut().baseUrl, body)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(count).fill(200));
    return bodies.map((body) => body.encounter_id);
  }

  async function expectAllReady(encounterIds: string[], attempts = 1, perEncounter = 5): Promise<void> {
    for (const encounterId of encounterIds) {
      const rows = await settledArtifacts(db(), encounterId);
      expect(rows.map(({ status, attempts: tries }) => ({ status, attempts: tries }))).toEqual(
        Array(perEncounter).fill({ status: 'ready', attempts }),
      );
    }
  }

  it('logs in once for many simultaneous fetches, and every fetch carries the token it got', async () => {
    // A slow login, so that every fetch of the first batch waits for it.
    fake().script(LOGIN_PATH, { latencyMs: 300 });
    await expectAllReady(await successes(4));

    expect(logins()).toHaveLength(1);
    const login = JSON.parse(logins()[0].body) as unknown;
    expect(login).toEqual({ partner_id: 'partner-1', partner_token: expect.any(String), provider_id: 'provider-7' });
    const tokens = new Set(fetches().map((request) => request.headers['sdp_suki_token']));
    expect(tokens.size).toBe(1);
    expect([...tokens][0]).toMatch(/^[\w-]+\.[\w-]+\.fake$/);
    expect(new Set(fetches().map((request) => request.headers['sdp_provider_id']))).toEqual(new Set(['provider-7']));
    expect(fetches()).toHaveLength(20);
  });

  it('after a 401 logs in again, once for all fetches, and retries them at once', async () => {
    fake().script(LOGIN_PATH, { latencyMs: 100 });
    fake().revokeIssuedTokens();
    const before = fetches().length;
    await expectAllReady(await successes(2));

    expect(logins()).toHaveLength(2);
    const [first, second] = logins().map((request) => (JSON.parse(request.body) as { partner_token: unknown }).partner_token);
    expect(second).not.toBe(first);
    const answered = fetches().slice(before);
    const newToken = answered[answered.length - 1].headers['sdp_suki_token'];
    expect(answered.filter((request) => request.headers['sdp_suki_token'] === newToken)).toHaveLength(10);
  });

  it('counts a refused login as a failed attempt and tries again later', async () => {
    fake().revokeIssuedTokens();
    fake().script(LOGIN_PATH, { status: 503 }, {});
    // One artifact, so that exactly one fetch meets the refused login.
    const sessionId = randomUUID();
    const encounterId = randomUUID();
    const body = aSuccessNotification({
      session_id: sessionId,
      encounter_id: encounterId,
      _links: linksFor(sessionId, encounterId, ['contents']),
    });
    expect((await postNotification(sut().baseUrl, body)).status).toBe(200);
    await expectAllReady([encounterId], 2, 1);
    expect(logins()).toHaveLength(4);
  });
});
