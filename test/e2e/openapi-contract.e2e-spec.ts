import { aSuccessNotification, postDocumentedNotification } from '../support/notifications';
import { contractProblems } from '../support/openapi-contract';
import { useTestApp } from '../support/use-test-app';

/**
 * The check every useTestApp answer goes through (test/support/openapi-contract.ts): real answers
 * pass it, and answers that differ from the document in any of the ways a DTO drifts fail it.
 */
describe('answers are checked against the OpenAPI document', () => {
  const { sut, get } = useTestApp();
  const notification = aSuccessNotification({ additional_info: { priority: 'high' } });
  const session = `/v1/sessions/${notification.session_id}`;
  const json = 'application/json; charset=utf-8';
  const problemsOf = (method: string, url: string, status: number, body: unknown, type: string | null = json) =>
    contractProblems(sut().baseUrl, method, url, status, body, type);
  const generatedAt = Date.now();
  let real: Record<string, unknown>;

  beforeAll(async () => {
    expect((await postDocumentedNotification(sut().baseUrl, notification, { generatedAt })).status).toBe(200);
    const answer = await get<Record<string, unknown>>(session);
    expect(answer.status).toBe(200);
    real = answer.body;
  });

  it('passes the real answers of the main /v1 routes and of the webhook', async () => {
    expect(await problemsOf('GET', session, 200, real)).toEqual([]);
    const answers = await Promise.all(
      [
        `${session}/events`,
        `${session}/artifacts/contents`,
        `/v1/sessions?encounterId=${notification.encounter_id}`,
        `/v1/encounters/${notification.encounter_id}`,
        `/v1/encounters/${notification.encounter_id}/artifacts/encounter_content`,
        '/v1/encounters',
        '/v1/sessions/no-such-session',
      ].map((path) => get(path)),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200, 404]);
    const duplicate = await postDocumentedNotification(sut().baseUrl, notification, { generatedAt });
    expect(duplicate).toEqual({ status: 200, body: { outcome: 'duplicate' } });
    const refused = await postDocumentedNotification(sut().baseUrl, notification, { secret: 'another-secret' });
    expect(refused.status).toBe(401);
  });

  it('fails a body without a documented required property', async () => {
    const { sessionId: _dropped, ...rest } = real;
    expect(await problemsOf('GET', session, 200, rest)).toEqual([expect.stringContaining("must have required property 'sessionId'")]);
  });

  it('fails a property the document does not name', async () => {
    expect(await problemsOf('GET', session, 200, { ...real, links: {} })).toEqual([
      expect.stringContaining('must NOT have additional properties'),
    ]);
  });

  it('fails a value outside an enum, a malformed date-time and a null where the document allows none', async () => {
    expect(await problemsOf('GET', session, 200, { ...real, status: 'done' })).toEqual([expect.stringContaining('body/status')]);
    expect(await problemsOf('GET', session, 200, { ...real, createdAt: 'yesterday' })).toEqual([expect.stringContaining('body/createdAt')]);
    expect(await problemsOf('GET', session, 200, { ...real, encounterId: null })).toEqual([expect.stringContaining('body/encounterId')]);
  });

  it('accepts null where the document says nullable, inside referenced schemas too', async () => {
    const artifacts = (real.artifacts as Array<Record<string, unknown>>).map((artifact) => ({
      ...artifact,
      lastError: null,
      fetchedAt: null,
    }));
    expect(await problemsOf('GET', session, 200, { ...real, errorCode: null, lastEventAt: null, artifacts })).toEqual([]);
    const wrong = [{ ...artifacts[0], attempts: 'one' }];
    expect(await problemsOf('GET', session, 200, { ...real, artifacts: wrong })).toEqual([
      expect.stringContaining('body/artifacts/0/attempts'),
    ]);
  });

  it('fails a status, a route or a content type the document does not list', async () => {
    expect(await problemsOf('GET', session, 418, {})).toEqual([`GET /v1/sessions/{sessionId} does not document status 418`]);
    expect(await problemsOf('GET', '/v1/nowhere', 200, {})).toEqual(['GET /v1/nowhere is not in the OpenAPI document']);
    expect(await problemsOf('GET', session, 200, 'text', 'text/plain')).toEqual([expect.stringContaining('answered text/plain')]);
  });
});
