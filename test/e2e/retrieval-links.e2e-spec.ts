import { randomUUID } from 'node:crypto';
import { bodyFor } from '../support/fake-suki-api';
import { aFailureNotification, aSuccessNotification, postNotification } from '../support/notifications';
import { useTestApp } from '../support/use-test-app';
import { ArtifactRow, eventually, FAST_RETRIEVAL, settledArtifacts } from './retrieval.support';

const link = (href: string, name: string) => [{ href, method: 'GET', name, type: 'application/json' }];

/** Only the configured Suki origin is ever called: the token must never reach another host. */
describe('retrieval calls only the Suki origin', () => {
  const { db, sut, suki, fake } = useTestApp({
    suki: true,
    // Stands for an attacker's host: accepts no token, records whatever reaches it.
    otherFakes: { foreign: { token: null } },
    env: FAST_RETRIEVAL,
  });
  const foreign = () => fake('foreign');

  afterEach(() => expect(foreign().requests).toEqual([]));

  const byKind = (rows: ArtifactRow[]) => Object.fromEntries(rows.map((row) => [row.kind, row]));

  it('refuses foreign hrefs without calling them and fetches the same-origin ones', async () => {
    const sessionId = randomUUID();
    const encounterId = randomUUID();
    const foreignHost = new URL(foreign().baseUrl).host;
    const sukiHost = new URL(suki().baseUrl).host;
    const body = aSuccessNotification({
      session_id: sessionId,
      encounter_id: encounterId,
      _links: {
        contents: link(`${foreign().baseUrl}/api/v1/ambient/session/${sessionId}/content`, 'contents'),
        transcripts: link(`//${foreignHost}/api/v1/ambient/session/${sessionId}/transcript`, 'transcripts'),
        structured_data: link(`http://${sukiHost}@${foreignHost}/api/v1/ambient/session/${sessionId}/structured-data`, 'structured_data'),
        encounter_content: link(`${suki().baseUrl}/api/v1/ambient/encounter/${encounterId}/content`, 'encounter_content'),
        encounter_structured_data: link(`/api/v1/ambient/encounter/${encounterId}/structured-data`, 'encounter_structured_data'),
      },
    });
    expect((await postNotification(sut().baseUrl, body)).status).toBe(200);

    const rows = byKind(await settledArtifacts(db(), encounterId));
    for (const kind of ['contents', 'transcripts', 'structured_data']) {
      expect(rows[kind]).toMatchObject({ status: 'failed', attempts: 0, data: null });
      expect(rows[kind].last_error).toMatch(/^refused: /);
    }
    expect(rows.encounter_content).toMatchObject({ status: 'ready', attempts: 1 });
    expect(rows.encounter_content.data).toEqual(bodyFor(`/api/v1/ambient/encounter/${encounterId}/content`));
    expect(rows.encounter_structured_data).toMatchObject({ status: 'ready', attempts: 1 });
  });

  it('checks an href again before calling it, whoever queued it', async () => {
    const failure = aFailureNotification();
    await postNotification(sut().baseUrl, failure);
    const sessionId = failure.session_id;
    const encounterId = failure.encounter_id;
    // A row queued with a foreign href (by an older version, or by hand) must still not be called.
    await db().query(
      `INSERT INTO artifacts (kind, owner_id, session_id, encounter_id, href, requested_at) VALUES ('contents', $1, $1, $2, $3, now())`,
      [sessionId, encounterId, `${foreign().baseUrl}/api/v1/ambient/session/${sessionId}/content`],
    );
    const [row] = await settledArtifacts(db(), encounterId);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.last_error).toMatch(/^refused: href points outside the Suki API origin/);
  });

  it('does not follow a redirect, which could carry the token elsewhere', async () => {
    const body = aSuccessNotification();
    const path = `/api/v1/ambient/session/${body.session_id}/content`;
    suki().script(path, { status: 302, headers: { location: `${foreign().baseUrl}/collect` } });
    await postNotification(sut().baseUrl, body);
    const rows = byKind(await settledArtifacts(db(), body.encounter_id));
    expect(rows.contents).toMatchObject({ status: 'failed', attempts: 1, last_error: 'HTTP 302: redirects are not followed' });
    expect(suki().requestsTo(path)).toHaveLength(1);
  });

  it('never sends the token anywhere but the Suki origin', async () => {
    const tokens = await eventually(
      () => suki().requests.map((request) => request.headers['sdp_suki_token']),
      (found) => found.length > 0,
    );
    expect(new Set(tokens)).toEqual(new Set(['test-suki-token']));
  });
});
