import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkSignal } from '../common/work-signal';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { SpoolStore } from '../spool/spool.store';
import { DeliveryOutcome } from '../generated/prisma/enums';
import { IntakeRecord } from './intake-record';
import { IntakeRepository } from './intake.repository';
import { IntakeService, IntakeUnavailableError } from './intake.service';

/** A repository whose commits the test completes by hand, recording every batch it was given. */
class ManualRepository {
  readonly batches: string[][] = [];
  readonly arrivals: bigint[] = [];
  private readonly pending: Array<{ resolve(outcomes: DeliveryOutcome[]): void; reject(error: unknown): void; ids: string[] }> = [];
  failWhen: (ids: string[]) => Error | undefined = () => undefined;

  ingest(records: readonly IntakeRecord[]): Promise<DeliveryOutcome[]> {
    const ids = records.map((record) => record.sessionId!);
    this.batches.push(ids);
    this.arrivals.push(...records.map((record) => record.arrival!));
    const failure = this.failWhen(ids);
    if (failure) return Promise.reject(failure);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject, ids }));
  }

  /** Commits the oldest open batch, answering `applied` for each record. */
  commitNext(): void {
    const next = this.pending.shift()!;
    next.resolve(next.ids.map(() => 'applied'));
  }

  get open(): number {
    return this.pending.length;
  }
}

const record = (sessionId: string): IntakeRecord => ({
  delivery: { rawBody: Buffer.from('{}'), generatedAtMs: 1, receivedAt: new Date(0) },
  sessionId,
  encounterId: 'e',
  knownSessions: [],
  artifacts: [],
});

const flush = () => new Promise((resolve) => setImmediate(resolve));

const opened: Array<{ spool: SpoolStore; dir: string }> = [];

/** A real spool in a temporary directory: what the service would fall back to. */
async function setup({ commitTimeoutMs = 60_000, spoolMaxBytes = 1_000_000 } = {}) {
  const repository = new ManualRepository();
  const signal = new WorkSignal();
  const dir = mkdtempSync(join(tmpdir(), 'intake-spool-'));
  const config = { intake: { commitTimeoutMs }, spool: { dir, maxBytes: spoolMaxBytes } } as AppConfig;
  const spool = new SpoolStore(config, new MetricsService());
  await spool.onModuleInit();
  opened.push({ spool, dir });
  const sut = new IntakeService(repository as unknown as IntakeRepository, spool, config, signal);
  return { sut, repository, signal, spool };
}

afterEach(async () => {
  for (const { spool, dir } of opened.splice(0)) {
    await spool.onModuleDestroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('IntakeService (group commit)', () => {
  it('commits at once when idle, and groups what arrives while commits are under way', async () => {
    const { sut, repository } = await setup();
    const answers = ['a', 'b', 'c', 'd', 'e'].map((id) => sut.submit(record(id)));
    await flush();
    // Two commits may run at once; the rest wait and then go together.
    expect(repository.batches).toEqual([['a'], ['b']]);
    repository.commitNext();
    await flush();
    expect(repository.batches).toEqual([['a'], ['b'], ['c', 'd', 'e']]);
    repository.commitNext();
    repository.commitNext();
    expect(await Promise.all(answers)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
  });

  it('stamps each notification with its arrival order, strictly increasing even within one millisecond', async () => {
    const { sut, repository } = await setup();
    for (const id of ['a', 'b', 'c', 'd']) void sut.submit(record(id));
    await flush();
    repository.commitNext();
    repository.commitNext();
    await flush();
    const arrivals = repository.arrivals;
    expect(arrivals).toHaveLength(4);
    expect([...arrivals].sort((x, y) => (x < y ? -1 : 1))).toEqual(arrivals);
    expect(new Set(arrivals).size).toBe(4);
    while (repository.open > 0) repository.commitNext();
  });

  it('answers no one before the commit that holds their notification', async () => {
    const { sut, repository } = await setup();
    let answered = false;
    void sut.submit(record('a')).then(() => (answered = true));
    await flush();
    expect(answered).toBe(false);
    repository.commitNext();
    await flush();
    expect(answered).toBe(true);
  });

  it('reports to retrieval how many notifications wait for a commit slot', async () => {
    const { sut, repository, signal } = await setup();
    const reported: number[] = [];
    jest.spyOn(signal, 'reportIntakeBacklog').mockImplementation((waiting) => void reported.push(waiting));
    for (const id of ['a', 'b', 'c', 'd']) void sut.submit(record(id));
    await flush();
    // Two commits under way, then c and d wait.
    expect(reported).toEqual([0, 0, 1, 2]);
    repository.commitNext();
    await flush();
    expect(reported.at(-1)).toBe(0);
    while (repository.open > 0) repository.commitNext();
  });

  it('retries a failed batch one record at a time, so one bad record does not fail its neighbours', async () => {
    const { sut, repository } = await setup();
    const blockers = [sut.submit(record('x')), sut.submit(record('y'))];
    await flush();
    repository.failWhen = (ids) => (ids.length > 1 || ids.includes('bad') ? new Error('bad input') : undefined);
    const answers = [sut.submit(record('good')), sut.submit(record('bad'))].map((p) => p.catch((error: unknown) => error));
    repository.commitNext();
    repository.commitNext();
    await Promise.all(blockers);
    await flush();
    while (repository.open > 0) repository.commitNext();
    const [good, bad] = await Promise.all(answers);
    expect(good).toBe('applied');
    // The database would not take it even alone: kept in the spool for the drainer, not dropped.
    expect(bad).toBe('spooled');
  });

  it('spools a whole batch at once when the database is unreachable, and what follows straight away', async () => {
    const { sut, repository, spool } = await setup();
    const unreachable = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    repository.failWhen = () => unreachable;
    const answers = await Promise.all(['a', 'b', 'c'].map((id) => sut.submit(record(id))));
    expect(answers).toEqual(['spooled', 'spooled', 'spooled']);
    expect(await sut.submit(record('d'))).toBe('spooled');
    // No record-by-record retries against a database that is not there, and none at all once spooling.
    expect(repository.batches.flat()).toEqual(['a', 'b', 'c']);
    const kept = spool.oldest(10);
    expect(kept).toHaveLength(4);
    expect(kept.map((n) => n.arrival)).toEqual([...repository.arrivals, kept[3].arrival]);
    expect(kept[3].arrival > kept[2].arrival).toBe(true);
  });

  it('spools a notification not committed within the timeout, and ignores the commit that lands later', async () => {
    const { sut, repository, spool } = await setup({ commitTimeoutMs: 50 });
    const started = Date.now();
    const hung = sut.submit(record('slow'));
    expect(await hung).toBe('spooled');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(spool.spooling).toBe(true);
    // The database finally commits the batch: the caller already has its answer, and the
    // spooled copy will drain as a duplicate.
    repository.commitNext();
    await flush();
    expect(spool.oldest(10).map((n) => n.rawBody.toString())).toEqual(['{}']);
  });

  it('answers 503 (IntakeUnavailableError) only when the spool cannot take it either', async () => {
    const { sut, repository } = await setup({ spoolMaxBytes: 1024 });
    repository.failWhen = () => Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    const big = { ...record('big'), delivery: { ...record('big').delivery, rawBody: Buffer.alloc(2048, 0x20) } };
    await expect(sut.submit(big)).rejects.toBeInstanceOf(IntakeUnavailableError);
    expect(await sut.submit(record('small'))).toBe('spooled');
  });
});
