import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { aSuccessNotification, postNotification } from '../support/notifications';
import { REPO_ROOT, startServiceProcess, stopServiceProcess } from '../support/service-process';
import { createTestDatabase } from '../support/test-database';
import { useTestApp } from '../support/use-test-app';
import { eventually, FAST_RETRIEVAL } from './retrieval.support';

const LATENCY_MS = 20;

describe('one breaker for the cluster', () => {
  const { db, suki: fake, start } = useTestApp({ suki: true, app: false, scope: 'test' });

  it('lets one probe at a time out across two replicas, always a note, and both drain at once when Suki answers', async () => {
    const env = { ...FAST_RETRIEVAL, SUKI_BREAKER_PROBE_BASE_MS: '100', SUKI_BREAKER_PROBE_MAX_MS: '400' };
    const replicas = [await start(env), await start(env)];
    fake().script('*', { status: 503, latencyMs: LATENCY_MS });
    const encounters: string[] = [];
    for (let i = 0; i < 10; i++) {
      const body = aSuccessNotification({ session_id: randomUUID(), encounter_id: randomUUID() });
      expect((await postNotification(replicas[i % 2].baseUrl, body)).status).toBe(200);
      encounters.push(body.encounter_id);
    }
    const firstWaveOver = Date.now() + 1_000;
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const probes = fake().requests.filter((request) => request.receivedAt >= firstWaveOver);
    // About one probe per 50–400 ms for 3 s, from either replica, never two at once.
    expect(probes.length).toBeGreaterThanOrEqual(3);
    expect(probes.length).toBeLessThanOrEqual(3_000 / 50);
    for (let i = 1; i < probes.length; i++) expect(probes[i].receivedAt - probes[i - 1].receivedAt).toBeGreaterThanOrEqual(LATENCY_MS);
    // The probe is the highest-priority work due: a note.
    for (const probe of probes) expect(probe.path).toMatch(/\/session\/[^/]+\/content$/);

    fake().script('*', { latencyMs: LATENCY_MS });
    const recovered = Date.now();
    const pending = await eventually(
      async () => (await db().query<{ n: number }>("SELECT count(*)::int AS n FROM artifacts WHERE status <> 'ready'"))[0].n,
      (n) => n === 0,
      10_000,
    );
    expect(pending).toBe(0);
    expect(Date.now() - recovered).toBeLessThan(2_000);
    const [breaker] = await db().query<{ open: boolean }>('SELECT open FROM suki_breaker');
    expect(breaker.open).toBe(false);
  }, 30_000);
});

describe('npm run notify -- success --suki-fault 503x3, with default retrieval settings', () => {
  it('has the note ready within 15 s of the notification', async () => {
    const db = await createTestDatabase();
    const service = await startServiceProcess({ DATABASE_URL: db.url });
    try {
      const { internalApiToken } = JSON.parse(readFileSync(join(service.dataDir, 'dev-secrets.json'), 'utf8')) as {
        internalApiToken: string;
      };
      const sent = Date.now();
      await promisify(execFile)(
        process.execPath,
        [join(REPO_ROOT, 'scripts/notify.js'), 'success', '--session', 'fault-503', '--suki-fault', '503x3', '--url', service.baseUrl],
        { env: { PATH: process.env.PATH ?? '', DATA_DIR: service.dataDir }, cwd: service.dataDir },
      );
      const contents = await eventually(
        async () =>
          (await (
            await fetch(`${service.baseUrl}/v1/sessions/fault-503/artifacts/contents`, {
              headers: { authorization: `Bearer ${internalApiToken}` },
            })
          ).json()) as { status: string; attempts: number; fetchedAt: string | null },
        (artifact) => artifact.status !== 'pending',
        30_000,
      );
      expect(contents).toMatchObject({ status: 'ready', attempts: 4 });
      expect(Date.parse(contents.fetchedAt!) - sent).toBeLessThanOrEqual(15_000);
    } finally {
      await stopServiceProcess(service).catch(() => undefined);
      rmSync(service.dataDir, { recursive: true, force: true });
      await db.drop();
    }
  }, 90_000);
});
