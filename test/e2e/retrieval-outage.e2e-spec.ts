import { randomUUID } from 'node:crypto';
import { aSuccessNotification, postNotification } from '../support/notifications';
import { TestApp } from '../support/test-app';
import { TestDatabase } from '../support/test-database';
import { useTestApp } from '../support/use-test-app';
import { ArtifactRow, eventually, FAST_RETRIEVAL } from './retrieval.support';

const ARTIFACTS_PER_SUCCESS = 5;

async function postSuccesses(sut: TestApp, count: number): Promise<string[]> {
  const encounters: string[] = [];
  for (let i = 0; i < count; i++) {
    const body = aSuccessNotification({ session_id: randomUUID(), encounter_id: randomUUID() });
    expect((await postNotification(sut.baseUrl, body)).status).toBe(200);
    encounters.push(body.encounter_id);
  }
  return encounters;
}

function artifactsOfAll(db: TestDatabase, encounters: string[]): Promise<ArtifactRow[]> {
  return db.query<ArtifactRow>('SELECT * FROM artifacts WHERE encounter_id = ANY($1::text[])', [encounters]);
}

const allReady = (rows: ArtifactRow[], expected: number) => rows.length === expected && rows.every((row) => row.status === 'ready');

async function gauge(sut: TestApp, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${sut.baseUrl}/metrics`)).text();
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

/** A Suki that answers 503 to everything for a while (transient, docs/architecture.md), then recovers. */
describe('a Suki outage', () => {
  // Each test starts its own service, with its own retry policy, on a fresh database and fake Suki.
  const { db, suki: fake, start } = useTestApp({ suki: true, app: false, scope: 'test' });

  it('of 20 s, with the default retry policy, ends with every artifact ready within a minute of recovery, calling Suki a bounded number of times', async () => {
    // Nothing but the Suki address and the test database: the default horizon, backoff and breaker.
    const sut = await start({ SUKI_API_BASE_URL: fake().baseUrl });
    try {
      fake().script('*', { status: 503 });
      const encounters = await postSuccesses(sut, 10);
      const expected = encounters.length * ARTIFACTS_PER_SUCCESS;
      await new Promise((resolve) => setTimeout(resolve, 20_000));
      const callsDuringOutage = fake().requests.length;
      expect(await gauge(sut, 'suki_breaker_state')).toBeGreaterThan(0);
      const recovered = Date.now();
      fake().script('*', {});

      const rows = await eventually(
        () => artifactsOfAll(db(), encounters),
        (found) => allReady(found, expected),
        60_000,
      );
      expect(rows.filter((row) => row.status !== 'ready')).toEqual([]);
      expect(rows).toHaveLength(expected);
      expect(Date.now() - recovered).toBeLessThan(60_000);
      // Without the breaker each of the 50 artifacts would have retried ~5 times in 20 s (250
      // calls). With it: the first wave, claimed before the breaker opened (at most about one call
      // per artifact: claims race the opening, so its size depends on timing, ~10 here), then one
      // probe at a time, each after half to all of a wait doubling from 1 s to 5 s: at most 9 in
      // 20 s, as a tenth could come no sooner than 0.5 + 1 + 2 + 2.5 * 7 = 21 s after the opening.
      expect(callsDuringOutage).toBeLessThanOrEqual(expected + 9);
      expect(await gauge(sut, 'suki_breaker_state')).toBe(0);
    } finally {
      await sut.close();
    }
  }, 110_000);

  it('keeps calls to one probe at a time while it lasts, and drains at full concurrency once Suki answers', async () => {
    const sut = await start({
      ...FAST_RETRIEVAL,
      SUKI_API_BASE_URL: fake().baseUrl,
      SUKI_MAX_CONCURRENCY: '8',
      SUKI_BREAKER_PROBE_BASE_MS: '100',
      SUKI_BREAKER_PROBE_MAX_MS: '400',
    });
    try {
      fake().script('*', { status: 503, latencyMs: 20 });
      const encounters = await postSuccesses(sut, 20);
      const expected = encounters.length * ARTIFACTS_PER_SUCCESS;
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      const outage = [...fake().requests];
      const opened = outage.slice(8 + 5);
      // After the first wave, calls never overlap: each starts after the last one's answer.
      for (let i = 1; i < opened.length; i++) expect(opened[i].receivedAt - opened[i - 1].receivedAt).toBeGreaterThanOrEqual(20);
      // Probes at least 50 ms apart (half the base wait) and at most 400 ms: about 10-15 in 4 s,
      // where retrying every artifact on its own (backoff capped at 200 ms) would make thousands.
      expect(outage.length).toBeLessThanOrEqual(8 + 5 + 4_000 / 50);
      expect(outage.length).toBeGreaterThan(8 + 5);

      fake().script('*', { latencyMs: 100 });
      const recovered = Date.now();
      const rows = await eventually(
        () => artifactsOfAll(db(), encounters),
        (found) => allReady(found, expected),
        30_000,
      );
      expect(rows.filter((row) => row.status !== 'ready')).toEqual([]);
      // 100 answers of 100 ms each: one at a time would take 10 s; at 8 at once, under 2 s.
      expect(Date.now() - recovered).toBeLessThan(5_000);
      // Never above the maximum; clearly in parallel. Exactly 8 is not promised: the adaptive
      // limit comes out of an outage cut and grows back, and on a loaded machine even the first
      // wave of 20 ms refusals can end before the eighth call starts.
      expect(fake().peakConcurrency).toBeLessThanOrEqual(8);
      expect(fake().peakConcurrency).toBeGreaterThanOrEqual(4);
    } finally {
      await sut.close();
    }
  }, 60_000);

  it.each([
    { status: 400, message: 'invalid_request' },
    { status: 403, message: 'permission_denied' },
    { status: 404, message: 'session_not_found' },
    { status: 422, message: 'unprocessable' },
  ])(
    'does not retry a permanent HTTP $status, fails it at once with its reason, and leaves the breaker closed',
    async ({ status, message }) => {
      const sut = await start({ ...FAST_RETRIEVAL, SUKI_API_BASE_URL: fake().baseUrl, SUKI_BREAKER_FAILURES: '2' });
      try {
        fake().script('*', { status, body: { code: status, message } });
        const encounters = await postSuccesses(sut, 2);
        const rows = await eventually(
          () => artifactsOfAll(db(), encounters),
          (found) => found.length === 10 && found.every((row) => row.status !== 'pending'),
        );
        for (const row of rows) expect(row).toMatchObject({ status: 'failed', attempts: 1, last_error: `HTTP ${status}: ${message}` });
        expect(fake().requests).toHaveLength(10);
        expect(await gauge(sut, 'suki_breaker_state')).toBe(0);
      } finally {
        await sut.close();
      }
    },
  );
});
