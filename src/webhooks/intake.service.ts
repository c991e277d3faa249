import { Injectable, Logger, Optional } from '@nestjs/common';
import { describeError, isConnectionError, UnavailableError } from '../common/http-error';
import { AppConfig } from '../config/app-config';
import { SpoolStore } from '../spool/spool.store';
import { WorkSignal } from '../common/work-signal';
import { DeliveryOutcome } from '../generated/prisma/enums';
import { nextArrival } from '../common/arrival-order';
import { IntakeRecord } from './intake-record';
import { IntakeRepository } from './intake.repository';

/** The database could not make a notification durable; nothing was acknowledged. */
export class IntakeUnavailableError extends UnavailableError {
  constructor(override readonly cause: unknown) {
    super('notification could not be stored');
    this.name = 'IntakeUnavailableError';
  }
}

/** What intake made of a notification: the database's outcome, or kept in the local spool. */
export type IntakeOutcome = DeliveryOutcome | 'spooled';

interface Waiting {
  record: IntakeRecord;
  resolve(outcome: IntakeOutcome): void;
  reject(error: unknown): void;
  /** Set once the caller has its answer: a commit that lands after the item was spooled is ignored. */
  answered: boolean;
  timer?: NodeJS.Timeout;
}

/** How many batches may be committing at once, and how large one may grow. */
const MAX_IN_FLIGHT = 2;
const MAX_BATCH_RECORDS = 64;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Group commit for notifications. Each caller's promise settles only after the commit that
 * holds its notification, so a 2xx still means durable; but notifications that arrive while a
 * commit is under way share the next one, which is what lets intake keep up with a burst.
 * At low load a batch is a single notification and nothing waits.
 *
 * When the database cannot commit — it refuses connections, fails the batch, or has not
 * committed within INTAKE_COMMIT_TIMEOUT_MS of the notification's arrival — the notification is
 * written to the local spool instead (fsync'd before the answer, `spooled`), and intake enters
 * spooling mode: every later notification goes straight to the spool until the drainer has
 * emptied it. That bounds every answer by the timeout (plus one spool flush), and keeps
 * arrivals in order: nothing new is committed ahead of what waits in the spool.
 *
 * A commit that timed out may still land later. Its spooled copy is then drained as a
 * `duplicate` by the (body_sha256, generated_at) key: harmless, and never a lost note.
 * With a healthy database none of this costs more than one timer per notification.
 */
@Injectable()
export class IntakeService {
  private readonly logger = new Logger(IntakeService.name);
  private readonly waiting: Waiting[] = [];
  private readonly commitTimeoutMs: number;
  private inFlight = 0;

  constructor(
    private readonly repository: IntakeRepository,
    private readonly spool: SpoolStore,
    config: AppConfig,
    // Rung after a commit so that retrieval starts at once; absent when nothing retrieves.
    @Optional() private readonly workSignal?: WorkSignal,
  ) {
    this.commitTimeoutMs = config.intake.commitTimeoutMs;
  }

  submit(record: IntakeRecord): Promise<IntakeOutcome> {
    const arrived = { ...record, arrival: nextArrival(record.delivery.receivedAt.getTime()) };
    this.workSignal?.noteIntakeArrival();
    if (this.spool.spooling) return this.toSpool(arrived);
    return new Promise((resolve, reject) => {
      const item: Waiting = { record: arrived, resolve, reject, answered: false };
      item.timer = setTimeout(() => this.overdue(item), this.commitTimeoutMs);
      this.waiting.push(item);
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.waiting.length > 0) {
      const batch = this.takeBatch();
      this.inFlight += 1;
      void this.commit(batch).finally(() => {
        this.inFlight -= 1;
        this.drain();
      });
    }
    this.workSignal?.reportIntakeBacklog(this.waiting.length);
  }

  private takeBatch(): Waiting[] {
    let bytes = 0;
    let count = 0;
    while (count < this.waiting.length && count < MAX_BATCH_RECORDS) {
      bytes += this.waiting[count].record.delivery.rawBody.length;
      if (count > 0 && bytes > MAX_BATCH_BYTES) break;
      count += 1;
    }
    return this.waiting.splice(0, count);
  }

  private async commit(batch: Waiting[]): Promise<void> {
    try {
      const outcomes = await this.repository.ingest(batch.map((item) => item.record));
      batch.forEach((item, index) => answer(item, outcomes[index]));
      this.workSignal?.notify();
    } catch (error) {
      if (isConnectionError(error)) {
        // Retrying one by one cannot help while the database is away: spool them at once.
        return this.spoolInstead(batch, `database unavailable (${describeError(error)})`);
      }
      if (batch.length === 1) return this.commitAlone(batch[0], error);
      // One bad record (or a deadlock with another replica) must not fail its neighbours:
      // each is tried again on its own.
      this.logger.warn(`batch of ${batch.length} failed (${describeError(error)}); retrying one by one`);
      // In arrival order, one after the other: the order is what breaks ties on generated-at.
      for (const item of batch) if (!item.answered) await this.commitAlone(item);
    }
  }

  private async commitAlone(item: Waiting, earlier?: unknown): Promise<void> {
    const attempts: IntakeRecord[] = earlier ? [degraded(item.record)] : [item.record, degraded(item.record)];
    let lastError = earlier;
    for (const record of attempts) {
      try {
        const [outcome] = await this.repository.ingest([record]);
        // Kept, but without the fields the database refused: never silently (docs/architecture.md, Hostile input).
        if (record !== item.record) {
          this.logger.warn(
            `notification session=${item.record.sessionId ?? '(none)'} stored without its derived fields: ${describeError(lastError)} (kept in the raw body)`,
          );
        }
        answer(item, outcome);
        return;
      } catch (error) {
        lastError = error;
        if (isConnectionError(error)) break;
      }
    }
    // The database answers but will not take it (migrations not yet applied after booting
    // without a database, say): kept in the spool, retried by the drainer, never dropped.
    this.spoolInstead([item], `notification for session ${item.record.sessionId ?? '(none)'} not committed (${describeError(lastError)})`);
  }

  /** No commit within the timeout: this one, and everything queued behind it, goes to the spool. */
  private overdue(item: Waiting): void {
    if (item.answered) return;
    const queued = this.waiting.indexOf(item);
    if (queued >= 0) this.waiting.splice(queued, 1);
    this.spoolInstead([item, ...this.waiting.splice(0)], `no commit within ${this.commitTimeoutMs} ms`);
  }

  private spoolInstead(items: Waiting[], reason: string): void {
    this.spool.startSpooling(reason);
    for (const item of items) {
      if (item.answered) continue;
      item.answered = true;
      clearTimeout(item.timer);
      this.toSpool(item.record).then(
        (outcome) => item.resolve(outcome),
        (error: unknown) => item.reject(error),
      );
    }
  }

  private async toSpool(record: IntakeRecord): Promise<IntakeOutcome> {
    const { delivery } = record;
    try {
      await this.spool.append({
        arrival: record.arrival!,
        generatedAtMs: delivery.generatedAtMs,
        receivedAtMs: delivery.receivedAt.getTime(),
        rawBody: delivery.rawBody,
      });
      return 'spooled';
    } catch (error) {
      this.logger.error(
        `notification for session ${record.sessionId ?? '(none)'} not stored: database and spool unavailable (${describeError(error)})`,
      );
      throw new IntakeUnavailableError(error);
    }
  }
}

function answer(item: Waiting, outcome: DeliveryOutcome): void {
  if (item.answered) return;
  item.answered = true;
  clearTimeout(item.timer);
  item.resolve(outcome);
}

/**
 * The same notification with its free-form derived fields dropped. The raw body is still
 * stored verbatim, so a field the database cannot hold (odd Unicode, say) never costs the
 * notification itself.
 */
export function degraded(record: IntakeRecord): IntakeRecord {
  const clean = (value?: string) => value?.toWellFormed();
  return {
    ...record,
    additionalInfo: undefined,
    links: undefined,
    vendorStatus: clean(record.vendorStatus),
    errorCode: clean(record.errorCode),
    errorDetail: clean(record.errorDetail),
    rejectReason: clean(record.rejectReason),
    artifacts: record.artifacts.map((artifact) => ({ ...artifact, href: artifact.href.toWellFormed() })),
  };
}
