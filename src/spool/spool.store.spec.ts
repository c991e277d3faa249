import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { nextArrival } from '../common/arrival-order';
import { SpoolRefusedError, SpoolStore } from './spool.store';

const dirs: string[] = [];
const stores: SpoolStore[] = [];

function open(dir: string, maxBytes = 1_000_000): SpoolStore {
  const store = new SpoolStore({ spool: { dir, maxBytes } } as AppConfig, new MetricsService());
  store.onModuleInit();
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
    const store = open(aSpoolDir());
    await Promise.all([notification(30n, 'c'), notification(10n, 'a'), notification(20n, 'b')].map((n) => store.append(n)));
    expect(store.oldest(10).map((n) => n.rawBody.toString())).toEqual(['a', 'b', 'c']);
    await store.remove(store.oldest(2));
    expect(store.oldest(10).map((n) => n.arrival)).toEqual([30n]);
    expect(store.depth()).toMatchObject({ records: 1, oldestReceivedAtMs: 2_000 });
  });

  it('keeps what it acknowledged across a reopen, resumes spooling, and numbers later arrivals after it', async () => {
    const dir = aSpoolDir();
    const first = open(dir);
    const far = nextArrival(Date.now() + 3_600_000);
    await first.append(notification(far));
    await first.onModuleDestroy();
    stores.splice(0);

    const again = open(dir);
    expect(again.oldest(10).map((n) => n.arrival)).toEqual([far]);
    expect(again.spooling).toBe(true);
    expect(again.depth().bytes).toBe(24 + notification(far).rawBody.length);
    // A clock an hour behind the spooled arrival still numbers new arrivals after it.
    expect(nextArrival(Date.now()) > far).toBe(true);
  });

  it('refuses past SPOOL_MAX_BYTES, counting writes still under way, and takes again once drained', async () => {
    const store = open(aSpoolDir(), 1024);
    const big = (arrival: bigint) => notification(arrival, 'x'.repeat(400));
    const answers = await Promise.allSettled([1n, 2n, 3n].map((a) => store.append(big(a))));
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((answers[2] as PromiseRejectedResult).reason).toEqual(new SpoolRefusedError('full'));
    expect(store.hasRoom(424)).toBe(false);
    await store.remove(store.oldest(1));
    await expect(store.append(big(4n))).resolves.toBeUndefined();
  });

  it('ends spooling only when empty', async () => {
    const store = open(aSpoolDir());
    store.startSpooling('test');
    await store.append(notification(5n));
    store.stopSpooling();
    expect(store.spooling).toBe(true);
    await store.remove(store.oldest(1));
    store.stopSpooling();
    expect(store.spooling).toBe(false);
  });
});
