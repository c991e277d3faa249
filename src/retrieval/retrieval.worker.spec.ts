import { Logger } from '@nestjs/common';
import {
  INTAKE_BUSY_BACKLOG,
  INTAKE_FLOOD_MS,
  INTAKE_FLOOD_RATE,
  INTAKE_IDLE_MS,
  INTAKE_QUIET_MS,
  INTAKE_RATE_WINDOW_MS,
  WorkSignal,
} from '../common/work-signal';
import { AppConfig } from '../config/app-config';
import { AdaptiveLimit, DEFAULT_LIMIT_SETTINGS } from './adaptive-limit';
import { RetrievalMetrics } from './retrieval.metrics';
import { ClaimedArtifact, WorkQueue } from '../work-queue/work-queue';
import { Attempt, RetrievalService } from './retrieval.service';
import { BUSY_TRICKLE_MS, READY_ROUNDS, RetrievalWorker } from './retrieval.worker';
import { SukiBreaker } from './suki-breaker';
import { sukiGateOpen } from './suki-breaker.repository';

/** The cluster's breaker as the worker sees it; `open` probes through takeProbe. */
interface StubBreaker {
  open: boolean;
  probes: number;
  takeProbe: jest.Mock<Promise<string | undefined>, []>;
  record: jest.Mock<Promise<void>, unknown[]>;
}

function stubBreaker(open = false): StubBreaker & Record<string, unknown> {
  const breaker: StubBreaker & Record<string, unknown> = {
    open,
    probes: 0,
    untilProbeMs: () => 0,
    untilResumeMs: () => 0,
    refreshIfOlderThan: () => Promise.resolve(),
    onForeignPause: () => undefined,
    takeProbe: jest.fn(() => Promise.resolve(breaker.open ? `token-${++breaker.probes}` : undefined)),
    record: jest.fn(() => Promise.resolve()),
  };
  return breaker;
}

const MAX_CONCURRENCY = 8;

/**
 * A worker over an in-memory queue (`claim` answers each claim with what it is asked for) and a
 * Suki whose every call takes `latencyMs` (0: answered at once), at a fixed limit.
 */
function workerWith(options: {
  claim: (limit: number) => ClaimedArtifact[];
  latencyMs?: number;
  limit?: number;
  breaker?: ReturnType<typeof stubBreaker>;
}) {
  const { latencyMs = 0, limit = MAX_CONCURRENCY, breaker = stubBreaker() } = options;
  const signal = new WorkSignal();
  const queue = {
    claim: jest.fn((wanted: number) => Promise.resolve(options.claim(wanted))),
    release: jest.fn(() => Promise.resolve(0)),
  };
  const service = {
    process: jest.fn<Promise<Attempt | undefined>, [ClaimedArtifact, AbortSignal, string | undefined]>(() =>
      latencyMs === 0
        ? Promise.resolve({ signal: 'none', latencyMs: 1 })
        : new Promise((resolve) => setTimeout(() => resolve({ signal: 'none', latencyMs }), latencyMs)),
    ),
  };
  const config = {
    retrieval: { enabled: true, pollMs: 500, leaseMs: 60_000, shutdownGraceMs: 1_000 },
    suki: { maxConcurrency: limit },
  } as unknown as AppConfig;
  const worker = new RetrievalWorker(
    queue as unknown as WorkQueue,
    service as unknown as RetrievalService,
    config,
    signal,
    breaker as unknown as SukiBreaker,
    new AdaptiveLimit({ ...DEFAULT_LIMIT_SETTINGS, max: limit, initial: limit }),
    { watch: () => undefined } as unknown as RetrievalMetrics,
  );
  return { worker, signal, service, queue };
}

/** Stops the worker under fake timers: its in-flight calls get the grace period. */
async function stop(worker: RetrievalWorker): Promise<void> {
  const stopped = worker.onModuleDestroy();
  await jest.advanceTimersByTimeAsync(1_000);
  await stopped;
}

/**
 * How much the worker claims, against a queue of due artifacts in memory: full speed while
 * intake keeps up, a trickle while notifications wait for a commit slot.
 */
describe('RetrievalWorker while intake is busy', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  function setup(due: number, breaker = stubBreaker(), latencyMs = 0) {
    let remaining = due;
    const claims: number[] = [];
    const built = workerWith({
      claim: (limit) => {
        claims.push(limit);
        const taken = Math.min(limit, remaining);
        remaining -= taken;
        return Array.from({ length: taken }, (_, i) => ({ id: String(i), kind: 'contents' }) as ClaimedArtifact);
      },
      latencyMs,
      breaker,
    });
    return { ...built, claims, fetched: () => built.service.process.mock.calls.length };
  }

  it('claims up to the concurrency limit, and a round more to start the moment a call ends, while intake keeps up', async () => {
    const { worker, claims, fetched } = setup(40);
    worker.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(100);
    expect(fetched()).toBe(40);
    expect(claims[0]).toBe((1 + READY_ROUNDS) * MAX_CONCURRENCY);
    await stop(worker);
  });

  it('trickles one artifact per interval while notifications wait, and resumes once intake keeps up', async () => {
    const { worker, signal, claims, fetched } = setup(40);
    signal.reportIntakeBacklog(INTAKE_BUSY_BACKLOG);
    worker.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(4 * BUSY_TRICKLE_MS - 1);
    expect(fetched()).toBe(4);
    expect(new Set(claims)).toEqual(new Set([1]));

    // The backlog clears while notifications keep coming: still a trickle during the quiet
    // period, full speed after it.
    signal.reportIntakeBacklog(0);
    for (let at = 0; at < INTAKE_QUIET_MS - 10; at += 10) {
      signal.noteIntakeArrival();
      await jest.advanceTimersByTimeAsync(10);
    }
    expect(fetched()).toBeLessThanOrEqual(4 + Math.ceil(INTAKE_QUIET_MS / BUSY_TRICKLE_MS));
    await jest.advanceTimersByTimeAsync(100);
    expect(fetched()).toBe(40);
    expect(Math.max(...claims)).toBe((1 + READY_ROUNDS) * MAX_CONCURRENCY);
    await stop(worker);
  });

  it('is back at full speed as soon as a burst is over, without waiting out the quiet period', async () => {
    const { worker, signal, fetched } = setup(40);
    signal.noteIntakeArrival();
    signal.reportIntakeBacklog(INTAKE_BUSY_BACKLOG);
    worker.onApplicationBootstrap();
    signal.reportIntakeBacklog(0);
    await jest.advanceTimersByTimeAsync(2 * INTAKE_IDLE_MS);
    expect(fetched()).toBe(40);
    await stop(worker);
  });

  it('goes at full speed through a burst of notifications, and trickles once they keep pouring in (a flood)', async () => {
    const { worker, signal, fetched } = setup(100_000, stubBreaker(), 100);
    /** Notifications at twice the flood rate for `ms`, a few every 50 ms. */
    const pour = async (ms: number) => {
      for (let at = 0; at < ms; at += 50) {
        for (let i = 0; i < (2 * INTAKE_FLOOD_RATE) / 20; i += 1) signal.noteIntakeArrival();
        await jest.advanceTimersByTimeAsync(50);
      }
    };
    worker.onApplicationBootstrap();
    // The first half second is a burst: every slot busy, calls of 100 ms.
    await pour(INTAKE_FLOOD_MS / 2);
    expect(fetched()).toBeGreaterThanOrEqual(4 * MAX_CONCURRENCY);
    // Still pouring past the flood period: one call at a time, one per trickle interval at most.
    await pour(INTAKE_FLOOD_MS);
    const flooded = fetched();
    await pour(4 * INTAKE_FLOOD_MS);
    expect(fetched() - flooded).toBeLessThanOrEqual((4 * INTAKE_FLOOD_MS) / BUSY_TRICKLE_MS + 1);
    expect(fetched() - flooded).toBeGreaterThan(0);
    // The flood ends: full speed again within a rate window or two.
    await jest.advanceTimersByTimeAsync(2 * INTAKE_RATE_WINDOW_MS + 500);
    const resumed = fetched();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(fetched() - resumed).toBeGreaterThanOrEqual(8 * MAX_CONCURRENCY);
    await stop(worker);
  });

  it('does not step aside for ordinary group commit', async () => {
    const { worker, signal, fetched } = setup(40);
    signal.reportIntakeBacklog(INTAKE_BUSY_BACKLOG - 1);
    worker.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(100);
    expect(fetched()).toBe(40);
    await stop(worker);
  });

  it('gives status checks their own share of the limit, and results the rest', async () => {
    const { worker, queue } = setup(40);
    worker.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(10);
    expect(queue.claim.mock.calls[0]).toEqual([(1 + READY_ROUNDS) * MAX_CONCURRENCY, MAX_CONCURRENCY / 4, 60_000, sukiGateOpen(false)]);
    await stop(worker);
  });

  it('while the breaker is open, sends only the probe, one at a time, the note before any check; full speed once it closes', async () => {
    const breaker = stubBreaker(true);
    const { worker, claims, fetched, service, queue } = setup(40, breaker);
    let finishProbe: () => void = () => undefined;
    service.process.mockImplementation((_job, _signal, probe) => {
      if (!probe) return Promise.resolve({ signal: 'success', latencyMs: 1 });
      return new Promise((resolve) => (finishProbe = () => resolve({ signal: 'success', latencyMs: 1 })));
    });
    worker.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(2_000);
    expect(fetched()).toBe(1);
    expect(service.process.mock.calls[0][2]).toBe('token-1');
    expect(queue.claim.mock.calls[0]).toEqual([1, 0, 60_000, sukiGateOpen(true)]);
    // Suki answered the probe: the breaker closes, and the worker claims at full speed.
    breaker.open = false;
    finishProbe();
    await jest.advanceTimersByTimeAsync(600);
    expect(fetched()).toBe(40);
    expect(claims).toContain(MAX_CONCURRENCY);
    await stop(worker);
  });

  it('a probe that finds nothing due hands the probe back', async () => {
    const breaker = stubBreaker(true);
    const { worker, fetched } = setup(0, breaker);
    worker.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(10);
    expect(fetched()).toBe(0);
    expect(breaker.record).toHaveBeenCalledWith(undefined, 'token-1');
    await stop(worker);
  });
});

/**
 * The order claimed work starts in: the claim's priority (the note first) holds across claims,
 * so a note claimed a moment later goes before the lower kinds claimed earlier, and a check
 * keeps its place.
 */
describe('RetrievalWorker, claimed work waiting for a slot', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  const job = (kind: ClaimedArtifact['kind'], owner: string) => ({ id: `${kind}:${owner}`, kind, ownerId: owner }) as ClaimedArtifact;

  /** One call at a time, each 1 s; `claims` are what the queue hands out, one batch per claim. */
  async function started(claims: ClaimedArtifact[][]): Promise<string[]> {
    const { worker, service } = workerWith({ claim: () => claims.shift() ?? [], latencyMs: 1_000, limit: 1 });
    worker.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(5_000);
    await stop(worker);
    return service.process.mock.calls.map(([claimed]) => claimed.id);
  }

  it("starts a note claimed later before an earlier session's lower kinds", async () => {
    const order = await started([[job('structured_data', 'a'), job('transcripts', 'a')], [job('contents', 'b')]]);
    expect(order).toEqual(['structured_data:a', 'contents:b', 'transcripts:a']);
  });

  it('never moves a result ahead of a check already waiting', async () => {
    const order = await started([[job('transcripts', 'a'), job('status', 'c')], [job('contents', 'b')]]);
    expect(order).toEqual(['transcripts:a', 'status:c', 'contents:b']);
  });
});
