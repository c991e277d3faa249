import { aSuccessNotification, postNotification } from '../support/notifications';
import { ServiceProcess, startServiceProcess } from '../support/service-process';
import { TEST_WEBHOOK_SECRET } from '../support/test-app';
import { useTestApp } from '../support/use-test-app';
import { ArtifactRow, eventually, FAST_RETRIEVAL, settledArtifacts } from './retrieval.support';

/** Once a success is acknowledged, its artifacts end ready or failed: crashes and restarts lose nothing. */
describe('retrieval survives crashes, restarts and replicas', () => {
  // Each test starts (and kills) its own services on a fresh database and fake Suki.
  const { db, suki: fake, start } = useTestApp({ suki: true, app: false, scope: 'test' });

  const allArtifacts = () => db().query<ArtifactRow>('SELECT * FROM artifacts ORDER BY id');

  async function postSuccesses(baseUrls: string[], count: number): Promise<string[]> {
    const bodies = Array.from({ length: count }, () => aSuccessNotification());
    const answers = await Promise.all(bodies.map((body, index) => postNotification(baseUrls[index % baseUrls.length], body)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(count).fill(200));
    return bodies.map((body) => body.encounter_id);
  }

  it('picks up the fetches of a killed process once their leases run out', async () => {
    // Suki is slow: fetches are still in flight when the process dies.
    fake().script('*', { latencyMs: 5_000 });
    const crashing: ServiceProcess = await startServiceProcess({
      DATABASE_URL: db().url,
      MIGRATE_ON_START: 'false',
      SUKI_API_BASE_URL: fake().baseUrl,
      SUKI_API_TOKEN: 'test-suki-token',
      SUKI_WEBHOOK_SECRETS: TEST_WEBHOOK_SECRET,
      INTERNAL_API_TOKENS: 'restart-test-token',
      RETRIEVAL_POLL_MS: '50',
      RETRIEVAL_LEASE_MS: '1500',
      SUKI_REQUEST_TIMEOUT_MS: '10000',
    });
    let encounters: string[];
    try {
      encounters = await postSuccesses([crashing.baseUrl], 3);
      await eventually(
        () => fake().requests.length,
        (count) => count >= 8,
      );
    } finally {
      crashing.child.kill('SIGKILL');
    }
    expect(await crashing.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const orphaned = (await allArtifacts()).filter((row) => row.status === 'pending' && row.locked_until !== null);
    expect(orphaned.length).toBeGreaterThanOrEqual(8);

    // The next instance (in this process, to save a second boot of the compiled service).
    fake().script('*', {});
    const next = await start({ ...FAST_RETRIEVAL, SUKI_API_BASE_URL: fake().baseUrl });
    try {
      for (const encounterId of encounters) {
        const rows = await settledArtifacts(db(), encounterId, 20_000);
        expect(rows.map((row) => row.status)).toEqual(Array(5).fill('ready'));
      }
      const rows = await allArtifacts();
      for (const row of orphaned) expect(rows.find((found) => found.id === row.id)).toMatchObject({ status: 'ready', attempts: 2 });
    } finally {
      await next.close();
    }
  }, 60_000);

  it('on shutdown, hands back the leases of unfinished fetches so that the next start takes them at once', async () => {
    fake().script('*', { hang: true });
    const first = await start({
      ...FAST_RETRIEVAL,
      SUKI_API_BASE_URL: fake().baseUrl,
      SUKI_REQUEST_TIMEOUT_MS: '20000',
      RETRIEVAL_SHUTDOWN_GRACE_MS: '300',
      RETRIEVAL_LEASE_MS: '120000',
    });
    const [encounterId] = await postSuccesses([first.baseUrl], 1);
    await eventually(
      () => fake().requests.length,
      (count) => count === 5,
    );
    const closing = Date.now();
    await first.close();
    expect(Date.now() - closing).toBeLessThan(5_000);

    const handedBack = await allArtifacts();
    expect(handedBack.map(({ status, attempts, locked_until, last_error }) => ({ status, attempts, locked_until, last_error }))).toEqual(
      Array(5).fill({ status: 'pending', attempts: 1, locked_until: null, last_error: null }),
    );

    fake().script('*', {});
    const second = await start({ ...FAST_RETRIEVAL, SUKI_API_BASE_URL: fake().baseUrl });
    try {
      // Well within the two-minute lease the first process took.
      const rows = await settledArtifacts(db(), encounterId, 10_000);
      expect(rows.map(({ status, attempts }) => ({ status, attempts }))).toEqual(Array(5).fill({ status: 'ready', attempts: 2 }));
    } finally {
      await second.close();
    }
  });

  it('shares the work between replicas without fetching anything twice', async () => {
    fake().script('*', { latencyMs: 30 });
    const replicas = await Promise.all([1, 2].map(() => start({ ...FAST_RETRIEVAL, SUKI_API_BASE_URL: fake().baseUrl })));
    try {
      const encounters = await postSuccesses(
        replicas.map((replica) => replica.baseUrl),
        6,
      );
      for (const encounterId of encounters) {
        expect((await settledArtifacts(db(), encounterId)).map((row) => row.status)).toEqual(Array(5).fill('ready'));
      }
      const perPath = new Map<string, number>();
      for (const request of fake().requests) perPath.set(request.path, (perPath.get(request.path) ?? 0) + 1);
      expect(perPath.size).toBe(30);
      expect([...perPath.values()].every((count) => count === 1)).toBe(true);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });
});
