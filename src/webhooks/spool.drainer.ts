import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError, isConnectionError, isWriteConflict } from '../common/http-error';
import { WorkSignal } from '../common/work-signal';
import { DatabaseStartup } from '../database/database-startup';
import { DeliveryOutcome } from '../generated/prisma/enums';
import { MetricsService } from '../metrics/metrics.service';
import { StoredNotification } from '../spool/spool-record';
import { SpoolStore } from '../spool/spool.store';
import { settledWithin } from '../common/settled-within';
import { IntakeRecord } from './intake-record';
import { IntakeRepository } from './intake.repository';
import { degraded } from './intake.service';
import { NotificationDispatcher } from './notification.dispatcher';

const BATCH_RECORDS = 128;
const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 2_000;
/** How often an idle drainer looks again even without a write to wake it. */
const IDLE_MS = 1_000;
const STOP_WAIT_MS = 3_000;
/**
 * Refusals (by a database that answers) after which a record is quarantined. Each try is a drain
 * round, the rounds backed off up to RETRY_MAX_MS: a few seconds of refusals, long enough to
 * outlast a passing fault, short enough that the records behind it wait only that long.
 */
export const QUARANTINE_AFTER_TRIES = 5;

/**
 * Applies spooled notifications to the database, oldest arrival first, as soon as it answers.
 *
 * Each is rebuilt from its bytes by the dispatcher (the code that built it at arrival) and keeps
 * its original arrival number, then goes through the same `ingest_notifications()` as on-time
 * intake: the same duplicate key and the same `(generated_at, arrival)` rules, so it lands as if
 * it had been committed when it arrived. A record leaves the spool only after the commit that
 * holds it; a crash in between drains it again, and the database answers `duplicate`.
 *
 * It is also the probe that ends spooling mode: once the spool is empty and an (empty) ingest
 * commits, intake goes back to the database.
 *
 * A record the database refuses every time (not a connection failure, not a lost deadlock: a
 * trigger that raises, say) would hold every record behind it for ever and fill the spool: after
 * QUARANTINE_AFTER_TRIES refusals it is set aside, still on disk (spool-quarantine.ts), and the
 * drain goes on in order.
 */
@Injectable()
export class SpoolDrainer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SpoolDrainer');
  private stopped = false;
  private readonly stopping = new AbortController();
  private loop?: Promise<void>;
  private failing = false;
  /** Refusals of a record still in the queue, by key; forgotten once it commits or is set aside. */
  private readonly refusals = new Map<string, number>();

  constructor(
    private readonly spool: SpoolStore,
    private readonly dispatcher: NotificationDispatcher,
    private readonly repository: IntakeRepository,
    private readonly startup: DatabaseStartup,
    private readonly metrics: MetricsService,
    @Optional() private readonly workSignal?: WorkSignal,
  ) {}

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  /**
   * Stops between batches. A batch still committing (at most the pool's query timeout on a hung
   * database) is not waited for past a moment: it either commits, and drains as a duplicate next
   * run, or does not; either way its records are still in the spool.
   */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    await settledWithin(this.loop, STOP_WAIT_MS);
  }

  private async run(): Promise<void> {
    let retryMs = RETRY_MIN_MS;
    while (!this.stopped) {
      if (!this.spool.spooling && this.spool.isEmpty) {
        await this.spool.nextChange(IDLE_MS, this.stopping.signal);
        continue;
      }
      try {
        if (!this.startup.migrated) throw new Error('migrations not yet applied');
        await this.step();
        if (this.failing) this.logger.log('database answers again: draining the spool');
        this.failing = false;
        retryMs = RETRY_MIN_MS;
      } catch (error) {
        if (!this.failing) this.logger.warn(`spool waits for the database: ${describeError(error)}`);
        this.failing = true;
        await this.pause(retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
    }
  }

  private async step(): Promise<void> {
    const spooled = this.spool.oldest(BATCH_RECORDS);
    if (spooled.length > 0) return this.apply(spooled);
    if (!this.spool.isEmpty) {
      // Writes issued but not yet committed to the spool: they are visible in a moment.
      await this.pause(5);
      return;
    }
    // Empty, still spooling: an ingest of nothing proves the database commits (and is migrated)
    // before intake goes back to it. Checked and switched with no await in between, so no write
    // can slip into the spool unseen.
    await this.repository.ingest([]);
    if (this.spool.isEmpty) this.spool.stopSpooling();
  }

  private async apply(spooled: StoredNotification[]): Promise<void> {
    const records = spooled.map((n) => this.rebuild(n));
    let outcomes: DeliveryOutcome[];
    try {
      outcomes = await this.repository.ingest(records);
    } catch (error) {
      if (isConnectionError(error)) throw error;
      return this.applyOneByOne(spooled, records, error);
    }
    await this.settle(spooled, outcomes);
  }

  /** As intake does: one bad record must not hold back its neighbours, and is retried degraded. */
  private async applyOneByOne(spooled: StoredNotification[], records: IntakeRecord[], batchError: unknown): Promise<void> {
    this.logger.warn(`spooled batch of ${records.length} failed (${describeError(batchError)}); retrying one by one`);
    for (let i = 0; i < records.length; i += 1) {
      let outcome: DeliveryOutcome | undefined;
      let lastError: unknown;
      for (const record of [records[i], degraded(records[i])]) {
        try {
          [outcome] = await this.repository.ingest([record]);
          break;
        } catch (error) {
          lastError = error;
          if (isConnectionError(error)) break;
        }
      }
      if (outcome === undefined) {
        // Never dropped: it stays first in the spool (the oldest-age metric shows it waiting), or
        // once refused for good, in quarantine.
        if (!(await this.refused(spooled[i], lastError))) throw lastError;
        continue;
      }
      await this.settle([spooled[i]], [outcome]);
    }
  }

  /** Counts a refusal; true when it was the last one allowed and the record is now quarantined. */
  private async refused(n: StoredNotification, error: unknown): Promise<boolean> {
    if (isConnectionError(error) || isWriteConflict(error)) return false;
    const id = n.key.toString('hex');
    const tries = (this.refusals.get(id) ?? 0) + 1;
    this.refusals.set(id, tries);
    if (tries < QUARANTINE_AFTER_TRIES) return false;
    await this.spool.setAside(n, tries, error);
    this.refusals.delete(id);
    return true;
  }

  private async settle(done: StoredNotification[], outcomes: DeliveryOutcome[]): Promise<void> {
    await this.spool.remove(done);
    for (const n of done) this.refusals.delete(n.key.toString('hex'));
    for (const outcome of outcomes) this.metrics.spoolDrained.inc({ outcome });
    this.workSignal?.notify();
  }

  private rebuild(n: StoredNotification): IntakeRecord {
    const delivery = { rawBody: n.rawBody, generatedAtMs: n.generatedAtMs, receivedAt: new Date(n.receivedAtMs) };
    return { ...this.dispatcher.recordFor(delivery).record, arrival: n.arrival };
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }
}
