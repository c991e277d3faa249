import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { describeError } from '../common/http-error';
import { ShutdownSignal } from '../common/shutdown-signal';
import { WorkSignal } from '../common/work-signal';
import { AppConfig } from '../config/app-config';
import { FeedReader } from '../events/feed-reader';
import { FeedWakeups } from '../events/feed-wakeups';
import { LeasesRepository } from '../leases/leases.repository';
import { DeliveryClient } from './delivery.client';
import { DispatchRepository } from './dispatch.repository';
import { PushMetrics } from './push.metrics';
import { SecretBox } from './secret-box';
import { BusyTrickle } from './busy-trickle';
import { RunnerDeps, SubscriptionRunner } from './subscription-runner';

/** How often a replica looks for active subscriptions nobody dispatches (new ones, or a dead replica's). */
const SCAN_MS = 1_000;

export function leaseName(subscriptionId: string): string {
  return `push:subscription:${subscriptionId}`;
}

/**
 * Runs the dispatch of every active subscription whose lease this replica can take: one replica
 * per subscription, any number of subscriptions per replica. A replica that dies stops renewing;
 * its leases expire after PUSH_LEASE_MS and the next scan of another replica takes them over.
 */
@Injectable()
export class PushDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PushDispatcher.name);
  private readonly holder = `${hostname()}:${process.pid}:${randomUUID()}`;
  private readonly running = new Map<string, { runner: SubscriptionRunner; done: Promise<void> }>();
  private readonly deps: RunnerDeps;
  private timer?: NodeJS.Timeout;
  private scanning?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly leases: LeasesRepository,
    private readonly shutdown: ShutdownSignal,
    repository: DispatchRepository,
    events: FeedReader,
    wakeups: FeedWakeups,
    client: DeliveryClient,
    box: SecretBox,
    metrics: PushMetrics,
    workSignal: WorkSignal,
  ) {
    this.deps = {
      workSignal,
      trickle: new BusyTrickle(),
      repository,
      leases,
      events,
      wakeups,
      client,
      box,
      metrics,
      leaseMs: config.push.leaseMs,
      disableAfterMs: config.push.disableAfterMs,
    };
  }

  onApplicationBootstrap(): void {
    if (!this.config.push.enabled) return;
    this.shutdown.subscribe(() => void this.stopAll());
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    await this.stopAll();
  }

  /** Looks for work now (a subscription was created or resumed on this replica). */
  poke(): void {
    if (this.config.push.enabled && !this.stopped) void this.scan();
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      void this.scan().finally(() => {
        if (!this.stopped) this.schedule(SCAN_MS);
      });
    }, ms);
    this.timer.unref();
  }

  private scan(): Promise<void> {
    this.scanning ??= this.takeFreeSubscriptions()
      .catch((error: unknown) => this.logger.warn(`push dispatch scan failed (${describeError(error)}); trying again`))
      .finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  private async takeFreeSubscriptions(): Promise<void> {
    const ids = (await this.deps.repository.activeIds()).filter((id) => !this.running.has(id));
    const free = new Set(await this.leases.free(ids.map(leaseName)));
    for (const id of ids) {
      if (this.stopped || !free.has(leaseName(id))) continue;
      const lease = await this.leases.acquire(leaseName(id), this.holder, this.config.push.leaseMs);
      if (!lease) continue;
      const runner = new SubscriptionRunner(this.deps, lease);
      const done = runner
        .run(id)
        .catch((error: unknown) => this.logger.warn(`push dispatch of ${id} stopped (${describeError(error)}); it is taken up again`))
        .finally(() => {
          this.running.delete(id);
          return this.leases.release(lease).catch(() => undefined);
        });
      this.running.set(id, { runner, done });
    }
  }

  private async stopAll(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const all = [...this.running.values()];
    for (const { runner } of all) runner.stop();
    await Promise.all(all.map(({ done }) => done));
    this.deps.client.close();
  }
}
