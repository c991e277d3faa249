import { randomUUID } from 'node:crypto';
import { bodyFor } from '../support/fake-suki-api';
import {
  aCancelledNotification,
  aSuccessNotification,
  aTimeoutNotification,
  postNotification,
  TestNotification,
} from '../support/notifications';
import { TEST_INTERNAL_TOKEN } from '../support/test-app';
import { useTestApp } from '../support/use-test-app';
import { allSettled, artifactsOf, eventually, FAST_RETRIEVAL, settledArtifacts } from './retrieval.support';

const anUnrecognisedNotification = (overrides: Parameters<typeof aTimeoutNotification>[0]): TestNotification => ({
  ...aTimeoutNotification(overrides),
  status: 'session_paused',
});

/** Timed-out, cancelled and unrecognised sessions are settled by one check of Suki's status. */
describe('status checks settle sessions', () => {
  const { db, sut, suki: fake } = useTestApp({ suki: true, env: FAST_RETRIEVAL });

  const session = async (id: string) =>
    (
      await db().query<{ status: string; created_at: Date; updated_at: Date }>(
        'SELECT status, created_at, updated_at FROM sessions WHERE id = $1',
        [id],
      )
    )[0];
  const encounter = async (id: string) => (await db().query('SELECT status FROM encounters WHERE id = $1', [id]))[0];

  it.each([
    { event: 'a timeout', notification: aTimeoutNotification, suki: 'aborted', before: 'timed_out', after: 'cancelled' },
    { event: 'a timeout', notification: aTimeoutNotification, suki: 'FAILED', before: 'timed_out', after: 'failed' },
    { event: 'a cancellation', notification: aCancelledNotification, suki: 'completed', before: 'cancelled', after: 'completed' },
    { event: 'an unrecognised status', notification: anUnrecognisedNotification, suki: 'skipped', before: 'pending', after: 'skipped' },
    { event: 'a timeout', notification: aTimeoutNotification, suki: 'running', before: 'timed_out', after: 'timed_out' },
  ])('after $event ($before), Suki saying $suki leaves the session $after', async ({ notification, suki, before, after }) => {
    const body = notification({ session_id: randomUUID(), encounter_id: randomUUID() });
    const sessionId = body.session_id;
    const encounterId = body.encounter_id;
    fake().setSessionStatus(sessionId, suki);
    expect((await postNotification(sut().baseUrl, body)).status).toBeLessThan(300);

    const check = (await settledArtifacts(db(), encounterId)).find((row) => row.kind === 'status');
    expect(check).toMatchObject({ kind: 'status', status: 'ready', attempts: 1, data: { status: suki } });
    expect(fake().requestsTo(`/api/v1/ambient/session/${sessionId}/status`)).toHaveLength(1);
    const settled = await session(sessionId);
    expect(settled.status).toBe(after);
    expect((await encounter(encounterId)).status).toBe(after);
    // Intake wrote the session with created_at = updated_at; settling it moves updated_at on.
    if (after !== before) expect(settled.updated_at.getTime()).toBeGreaterThan(settled.created_at.getTime());
    else expect(settled.updated_at).toEqual(settled.created_at);
  });

  it.each([
    { event: 'an unrecognised status (paused)', notification: anUnrecognisedNotification },
    { event: 'a timeout', notification: aTimeoutNotification },
  ])("after $event, Suki's `completed` fetches every configured result from the documented paths", async ({ notification }) => {
    const body = notification({ session_id: randomUUID(), encounter_id: randomUUID() });
    const sessionId = body.session_id;
    const encounterId = body.encounter_id;
    fake().setSessionStatus(sessionId, 'completed');
    expect((await postNotification(sut().baseUrl, body)).status).toBeLessThan(300);

    const rows = await eventually(
      () => artifactsOf(db(), encounterId),
      (found) => found.length === 6 && allSettled(found),
    );
    const documented: Record<string, string> = {
      contents: `/api/v1/ambient/session/${sessionId}/content`,
      structured_data: `/api/v1/ambient/session/${sessionId}/structured-data`,
      transcripts: `/api/v1/ambient/session/${sessionId}/transcript`,
      encounter_content: `/api/v1/ambient/encounter/${encounterId}/content`,
      encounter_structured_data: `/api/v1/ambient/encounter/${encounterId}/structured-data`,
    };
    expect(rows.map((row) => row.kind).sort()).toEqual([...Object.keys(documented), 'status'].sort());
    for (const row of rows.filter((found) => found.kind !== 'status')) {
      expect(row).toMatchObject({ status: 'ready', href: documented[row.kind], attempts: 1 });
      expect(row.data).toEqual(bodyFor(documented[row.kind]));
      expect(fake().requestsTo(documented[row.kind])).toHaveLength(1);
    }
    expect(((await session(sessionId)) as { status: string }).status).toBe('completed');
    // The query API shows the note like that of any completed session.
    const view = await fetch(`${sut().baseUrl}/v1/sessions/${sessionId}`, { headers: { authorization: `Bearer ${TEST_INTERNAL_TOKEN}` } });
    const artifacts = ((await view.json()) as { artifacts: Array<{ kind: string; status: string }> }).artifacts;
    expect(
      artifacts
        .filter((artifact) => artifact.status === 'ready')
        .map((artifact) => artifact.kind)
        .sort(),
    ).toEqual(['contents', 'status', 'structured_data', 'transcripts'].sort());
  });

  it('queues no results when Suki says anything but completed', async () => {
    const body = aTimeoutNotification({ session_id: randomUUID(), encounter_id: randomUUID() });
    fake().setSessionStatus(body.session_id, 'failed');
    await postNotification(sut().baseUrl, body);
    const rows = await settledArtifacts(db(), body.encounter_id);
    expect(rows.map((row) => row.kind)).toEqual(['status']);
  });

  it('leaves a session alone that a newer event reached after the check was asked for', async () => {
    const timeout = aTimeoutNotification();
    const sessionId = timeout.session_id;
    const encounterId = timeout.encounter_id;
    fake().setSessionStatus(sessionId, 'aborted');
    fake().script(`/api/v1/ambient/session/${sessionId}/status`, { latencyMs: 300 });
    await postNotification(sut().baseUrl, timeout, { generatedAt: Date.now() - 1000 });
    await postNotification(sut().baseUrl, aSuccessNotification({ session_id: sessionId, encounter_id: encounterId }));

    const rows = await settledArtifacts(db(), encounterId);
    expect(rows.find((row) => row.kind === 'status')).toMatchObject({ status: 'ready', data: { status: 'aborted' } });
    expect((await session(sessionId)).status).toBe('completed');
    expect((await encounter(encounterId)).status).toBe('completed');
  });

  it('settles the session but not the encounter when another session of it is newer', async () => {
    const encounterId = randomUUID();
    const newer = aSuccessNotification({ encounter_id: encounterId });
    const older = aTimeoutNotification({ encounter_id: encounterId });
    fake().setSessionStatus(older.session_id, 'aborted');
    await postNotification(sut().baseUrl, newer);
    await postNotification(sut().baseUrl, older, { generatedAt: Date.now() - 1000 });

    const rows = await settledArtifacts(db(), encounterId);
    expect(rows.find((row) => row.kind === 'status')).toMatchObject({ status: 'ready', data: { status: 'aborted' } });
    expect((await session(older.session_id)).status).toBe('cancelled');
    expect((await session(newer.session_id)).status).toBe('completed');
    expect((await encounter(encounterId)).status).toBe('completed');
  });

  it('keeps what a check settled for an unrecognised status against an older event delivered late', async () => {
    const now = Date.now();
    const unrecognised = anUnrecognisedNotification({ session_id: randomUUID(), encounter_id: randomUUID() });
    const sessionId = unrecognised.session_id;
    const encounterId = unrecognised.encounter_id;
    fake().setSessionStatus(sessionId, 'completed');
    expect((await postNotification(sut().baseUrl, unrecognised, { generatedAt: now })).status).toBe(202);
    await settledArtifacts(db(), encounterId);
    expect((await session(sessionId)).status).toBe('completed');

    // A failure Suki generated before the unrecognised status, delivered only now.
    const late = { ...aTimeoutNotification({ session_id: sessionId, encounter_id: encounterId }), status: 'failure', error_code: 'E1' };
    const answer = await postNotification(sut().baseUrl, late, { generatedAt: now - 1000 });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ outcome: 'stale' });
    expect((await session(sessionId)).status).toBe('completed');
    expect((await encounter(encounterId)).status).toBe('completed');
    const [row] = await db().query<{ last_event_at: Date }>('SELECT last_event_at FROM sessions WHERE id = $1', [sessionId]);
    expect(row.last_event_at.getTime()).toBe(now);
  });

  it('keeps what a check settled against another event with the same generated-at', async () => {
    const at = Date.now();
    const unrecognised = anUnrecognisedNotification({ session_id: randomUUID(), encounter_id: randomUUID() });
    const sessionId = unrecognised.session_id;
    fake().setSessionStatus(sessionId, 'skipped');
    await postNotification(sut().baseUrl, unrecognised, { generatedAt: at });
    await settledArtifacts(db(), unrecognised.encounter_id);

    // Suki answered the check after that instant; an event of the same instant is not newer.
    const sameInstant = { ...aTimeoutNotification({ session_id: sessionId, encounter_id: unrecognised.encounter_id }) };
    expect((await postNotification(sut().baseUrl, sameInstant, { generatedAt: at })).body).toEqual({ outcome: 'stale' });
    expect((await session(sessionId)).status).toBe('skipped');
    // A later one is.
    const later = aSuccessNotification({ session_id: sessionId, encounter_id: unrecognised.encounter_id });
    expect((await postNotification(sut().baseUrl, later, { generatedAt: at + 1 })).body).toEqual({ outcome: 'applied' });
    expect((await session(sessionId)).status).toBe('completed');
  });

  it('moves the encounter to a session settled for an event newer than the one it showed', async () => {
    const encounterId = randomUUID();
    const now = Date.now();
    const earlier = aSuccessNotification({ encounter_id: encounterId });
    const unrecognised = anUnrecognisedNotification({ session_id: randomUUID(), encounter_id: encounterId });
    fake().setSessionStatus(unrecognised.session_id, 'failed');
    await postNotification(sut().baseUrl, earlier, { generatedAt: now - 2000 });
    await postNotification(sut().baseUrl, unrecognised, { generatedAt: now });

    const rows = await settledArtifacts(db(), encounterId);
    expect(rows.find((row) => row.kind === 'status')).toMatchObject({ status: 'ready', data: { status: 'failed' } });
    expect((await session(unrecognised.session_id)).status).toBe('failed');
    expect((await encounter(encounterId)).status).toBe('failed');
  });
});
