import { Injectable, Logger, Optional } from '@nestjs/common';
import { describeError, isConnectionError } from '../common/http-error';
import { WorkSignal } from '../common/work-signal';
import { DeliveryOutcome } from '../generated/prisma/enums';
import { IntakeRecord, nextArrival } from './intake-record';
import { IntakeRepository } from './intake.repository';

/** The database could not make a notification durable; nothing was acknowledged. */
export class IntakeUnavailableError extends Error {
  constructor(override readonly cause: unknown) {
    super('notification could not be stored');
    this.name = 'IntakeUnavailableError';
  }
}

interface Waiting {
  record: IntakeRecord;
  resolve(outcome: DeliveryOutcome): void;
  reject(error: unknown): void;
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
 */
@Injectable()
export class IntakeService {
  private readonly logger = new Logger(IntakeService.name);
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(
    private readonly repository: IntakeRepository,
    // Rung after a commit so that retrieval starts at once; absent when nothing retrieves.
    @Optional() private readonly workSignal?: WorkSignal,
  ) {}

  submit(record: IntakeRecord): Promise<DeliveryOutcome> {
    const arrived = { ...record, arrival: nextArrival(record.delivery.receivedAt.getTime()) };
    return new Promise((resolve, reject) => {
      this.waiting.push({ record: arrived, resolve, reject });
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
      batch.forEach((item, index) => item.resolve(outcomes[index]));
      this.workSignal?.notify();
    } catch (error) {
      if (isConnectionError(error)) {
        // Retrying one by one cannot help while the database is away; answer 503 at once.
        this.logger.error(`batch of ${batch.length} not stored: database unavailable (${describeError(error)})`);
        batch.forEach((item) => item.reject(new IntakeUnavailableError(error)));
        return;
      }
      if (batch.length === 1) return this.commitAlone(batch[0], error);
      // One bad record (or a deadlock with another replica) must not fail its neighbours:
      // each is tried again on its own.
      this.logger.warn(`batch of ${batch.length} failed (${describeError(error)}); retrying one by one`);
      // In arrival order, one after the other: the order is what breaks ties on generated-at.
      for (const item of batch) await this.commitAlone(item);
    }
  }

  private async commitAlone(item: Waiting, earlier?: unknown): Promise<void> {
    const attempts: IntakeRecord[] = earlier ? [degraded(item.record)] : [item.record, degraded(item.record)];
    let lastError = earlier;
    for (const record of attempts) {
      try {
        const [outcome] = await this.repository.ingest([record]);
        // Kept, but without the fields the database refused: never silently (issue 12).
        if (record !== item.record) {
          this.logger.warn(
            `notification session=${item.record.sessionId ?? '(none)'} stored without its derived fields: ${describeError(lastError)} (kept in the raw body)`,
          );
        }
        item.resolve(outcome);
        return;
      } catch (error) {
        lastError = error;
        if (isConnectionError(error)) break;
      }
    }
    this.logger.error(`notification for session ${item.record.sessionId ?? '(none)'} not stored: ${describeError(lastError)}`);
    item.reject(new IntakeUnavailableError(lastError));
  }
}

/**
 * The same notification with its free-form derived fields dropped. The raw body is still
 * stored verbatim, so a field the database cannot hold (odd Unicode, say) never costs the
 * notification itself.
 */
function degraded(record: IntakeRecord): IntakeRecord {
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
