import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { nextArrival } from '../common/arrival-order';
import { SpoolLockedError } from './spool-lock';
import { SpoolRefusedError, SpoolStore } from './spool.store';

const dirs: string[] = [];
const stores: SpoolStore[] = [];

async function open(dir: string, maxBytes = 1_000_000): Promise<SpoolStore> {
  const store = new SpoolStore({ spool: { dir, maxBytes } } as AppConfig, new MetricsService());
  await store.onModuleInit();
  stores.push(store);
  return store;
}

function aSpoolDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spool-store-'));
  dirs.push(dir);
  return dir;
}

const notification = (arrival: bigint, body = '{"session_id":"s"}') => ({
  arrival,
  generatedAtMs: 1_000,
  receivedAtMs: 2_000,
  rawBody: Buffer.from(body),
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.onModuleDestroy();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('SpoolStore', () => {
  it('gives notifications back in arrival order whatever order they were written in, and forgets removed ones', async () => {
    const store = await open(aSpoolDir());
    await Promise.all([notification(30n, 'c'), notification(10n, 'a'), notification(20n, 'b')].map((n) => store.append(n)));
    expect(store.oldest(10).map((n) => n.rawBody.toString())).toEqual(['a', 'b', 'c']);
    await store.remove(store.oldest(2));
    expect(store.oldest(10).map((n) => n.arrival)).toEqual([30n]);
    expect(store.depth()).toMatchObject({ records: 1, oldestReceivedAtMs: 2_000 });
  });

  it('keeps what it acknowledged across a reopen, resumes spooling, and numbers later arrivals after it', async () => {
    const dir = aSpoolDir();
    const first = await open(dir);
    const far = nextArrival(Date.now() + 3_600_000);
    await first.append(notification(far));
    await first.onModuleDestroy();
    stores.splice(0);

    const again = await open(dir);
    expect(again.oldest(10).map((n) => n.arrival)).toEqual([far]);
    expect(again.spooling).toBe(true);
    expect(again.depth().bytes).toBe(32 + notification(far).rawBody.length);
    // A clock an hour behind the spooled arrival still numbers new arrivals after it.
    expect(nextArrival(Date.now()) > far).toBe(true);
  });

  it('refuses past SPOOL_MAX_BYTES, counting writes still under way, and takes again once drained', async () => {
    const store = await open(aSpoolDir(), 1024);
    const big = (arrival: bigint) => notification(arrival, 'x'.repeat(400));
    const answers = await Promise.allSettled([1n, 2n, 3n].map((a) => store.append(big(a))));
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((answers[2] as PromiseRejectedResult).reason).toEqual(new SpoolRefusedError('full'));
    expect(store.hasRoom(432)).toBe(false);
    await store.remove(store.oldest(1));
    await expect(store.append(big(4n))).resolves.toBeUndefined();
  });

  it('ends spooling only when empty', async () => {
    const store = await open(aSpoolDir());
    store.startSpooling('test');
    await store.append(notification(5n));
    store.stopSpooling();
    expect(store.spooling).toBe(true);
    await store.remove(store.oldest(1));
    store.stopSpooling();
    expect(store.spooling).toBe(false);
  });

  it('refuses a second store on the same directory while the first is open, and lets one open after it closed', async () => {
    const dir = aSpoolDir();
    const first = await open(dir);
    await expect(open(dir)).rejects.toThrow(SpoolLockedError);
    await first.onModuleDestroy();
    stores.splice(stores.indexOf(first), 1);
    await expect(open(dir)).resolves.toBeInstanceOf(SpoolStore);
  });

  it('sets a record aside: no longer waiting, still on disk across a reopen, listed, and put back in its place on retry', async () => {
    const dir = aSpoolDir();
    const store = await open(dir);
    await store.append(notification(10n, '{"session_id":"refused"}'));
    await store.append(notification(20n, '{"session_id":"next"}'));
    const bytes = store.depth().bytes;
    const [refused] = store.oldest(1);
    await store.setAside(refused, 5, Object.assign(new Error('raised'), { code: 'P0001' }));
    expect(store.oldest(10).map((n) => n.arrival)).toEqual([20n]);
    expect(store.depth().records).toBe(1);
    expect(store.depth().bytes).toBeGreaterThan(bytes);
    await store.remove(store.oldest(10));
    store.stopSpooling();

    await store.onModuleDestroy();
    stores.splice(0);
    const again = await open(dir);
    expect(again.isEmpty).toBe(true);
    expect(again.quarantine.count).toBe(1);
    expect(again.quarantine.list()).toEqual([
      {
        arrival: 10n,
        receivedAtMs: 2_000,
        sessionId: 'refused',
        bytes: 24,
        note: expect.objectContaining({ tries: 5, reason: 'Error P0001' }),
      },
    ]);
    expect(await again.retryQuarantined()).toBe(1);
    expect(again.quarantine.count).toBe(0);
    expect(again.spooling).toBe(true);
    expect(again.oldest(10).map((n) => [n.arrival, n.rawBody.toString()])).toEqual([[10n, '{"session_id":"refused"}']]);
    await again.remove(again.oldest(10));
    expect(again.depth()).toMatchObject({ records: 0, bytes: 0 });
  });
});
