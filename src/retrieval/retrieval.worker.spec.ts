import { Logger } from '@nestjs/common';
import { INTAKE_BUSY_BACKLOG, INTAKE_QUIET_MS, WorkSignal } from '../common/work-signal';
import { AppConfig } from '../config/app-config';
import { CircuitBreaker } from './circuit-breaker';
import { ClaimedArtifact, RetrievalRepository } from './retrieval.repository';
import { RetrievalService } from './retrieval.service';
import { BUSY_TRICKLE_MS, RetrievalWorker } from './retrieval.worker';

const MAX_CONCURRENCY = 8;

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

  function setup(due: number, breaker = new CircuitBreaker({ failureThreshold: 3, probeBaseMs: 1_000, probeMaxMs: 1_000 }, Date.now)) {
    const signal = new WorkSignal();
    let remaining = due;
    const claims: number[] = [];
    const repository = {
      claim: jest.fn((limit: number) => {
        claims.push(limit);
        const taken = Math.min(limit, remaining);
        remaining -= taken;
        return Promise.resolve(Array.from({ length: taken }, (_, i) => ({ id: String(i), kind: 'contents' }) as ClaimedArtifact));
      }),
      release: jest.fn(() => Promise.resolve(0)),
    };
    const service = { process: jest.fn(() => Promise.resolve(true)) };
    const config = {
      retrieval: { enabled: true, pollMs: 500, leaseMs: 60_000, shutdownGraceMs: 1_000 },
      suki: { maxConcurrency: MAX_CONCURRENCY },
    } as unknown as AppConfig;
    const worker = new RetrievalWorker(
      repository as unknown as RetrievalRepository,
      service as unknown as RetrievalService,
      config,
      signal,
      breaker,
    );
    return { worker, signal, claims, service, fetched: () => service.process.mock.calls.length };
  }

  it('claims up to the concurrency limit while intake keeps up', async () => {
    const { worker, claims, fetched } = setup(40);
    worker.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(100);
    expect(fetched()).toBe(40);
    expect(claims[0]).toBe(MAX_CONCURRENCY);
    await stop(worker);
  });

  it('trickles one artifact per interval while notifications wait, and resumes once intake keeps up', async () => {
    const { worker, signal, claims, fetched } = setup(40);
    signal.reportIntakeBacklog(INTAKE_BUSY_BACKLOG);
    worker.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(4 * BUSY_TRICKLE_MS - 1);
    expect(fetched()).toBe(4);
    expect(new Set(claims)).toEqual(new Set([1]));

    // The backlog clears: still a trickle during the quiet period, full speed after it.
    signal.reportIntakeBacklog(0);
    await jest.advanceTimersByTimeAsync(INTAKE_QUIET_MS - 1);
    expect(fetched()).toBeLessThanOrEqual(4 + Math.ceil(INTAKE_QUIET_MS / BUSY_TRICKLE_MS));
    await jest.advanceTimersByTimeAsync(100);
    expect(fetched()).toBe(40);
    expect(claims).toContain(MAX_CONCURRENCY);
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

  it('while the breaker is open, sends one probe at a time and none before the probe time; full speed once it closes', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 3, probeBaseMs: 1_000, probeMaxMs: 1_000 }, Date.now, () => 1);
    for (let i = 0; i < 3; i++) breaker.record('transient');
    const { worker, claims, fetched, service } = setup(40, breaker);
    let probes = 0;
    service.process.mockImplementation(() => {
      probes += 1;
      // The first two probes fail, the third finds Suki answering.
      breaker.record(probes <= 2 ? 'transient' : 'answered');
      return Promise.resolve(true);
    });
    worker.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(999);
    expect(fetched()).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(fetched()).toBe(1);
    await jest.advanceTimersByTimeAsync(999);
    expect(fetched()).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(fetched()).toBe(2);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(claims.slice(0, 3)).toEqual([1, 1, 1]);
    expect(breaker.state).toBe('closed');
    expect(fetched()).toBe(40);
    expect(claims).toContain(MAX_CONCURRENCY);
    await stop(worker);
  });

  it('a probe that ends without a verdict lets the next one go at once', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, probeBaseMs: 1_000, probeMaxMs: 1_000 }, Date.now, () => 1);
    breaker.record('transient');
    const { worker, fetched } = setup(3, breaker);
    worker.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(1_000);
    // The mock records nothing: each probe is followed at once by the next, one at a time.
    expect(fetched()).toBe(3);
    expect(breaker.state).toBe('open');
    await stop(worker);
  });

  async function stop(worker: RetrievalWorker): Promise<void> {
    const stopped = worker.onModuleDestroy();
    await jest.advanceTimersByTimeAsync(1_000);
    await stopped;
  }
});
