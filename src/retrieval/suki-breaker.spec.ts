import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { SukiBreaker } from './suki-breaker';
import { SukiBreakerRepository } from './suki-breaker.repository';

describe('SukiBreaker pause', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  function breakerWhosePauseLasts(lasts: () => Promise<number | undefined>): SukiBreaker {
    const repository = { pause: jest.fn(lasts) } as unknown as SukiBreakerRepository;
    const metrics = { setBreakerState: jest.fn() } as unknown as MetricsService;
    return new SukiBreaker(repository, {} as AppConfig, metrics);
  }

  it('holds calls back at once, before the database has the pause', async () => {
    let written!: (ms: number) => void;
    const sut = breakerWhosePauseLasts(() => new Promise((resolve) => (written = resolve)));
    const pausing = sut.pause(1_000);
    expect(sut.untilResumeMs()).toBe(1_000);
    expect(sut.holdsBack).toBe(true);
    written(1_000);
    await pausing;
  });

  it("waits as long as the cluster's pause lasts once written, when that is longer than asked", async () => {
    // This write waited 300 ms behind others of the same round trip, each pushing the end on.
    const sut = breakerWhosePauseLasts(async () => {
      await jest.advanceTimersByTimeAsync(300);
      return 1_000;
    });
    await sut.pause(1_000);
    expect(sut.untilResumeMs()).toBe(1_000);
    await jest.advanceTimersByTimeAsync(999);
    expect(sut.holdsBack).toBe(true);
    await jest.advanceTimersByTimeAsync(1);
    expect(sut.holdsBack).toBe(false);
  });

  it('keeps its own wait when the database cannot be told', async () => {
    const sut = breakerWhosePauseLasts(() => Promise.reject(new Error('connection refused')));
    await sut.pause(1_000);
    expect(sut.untilResumeMs()).toBe(1_000);
  });
});
