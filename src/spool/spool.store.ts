import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, RootDatabase } from 'lmdb';
import { describeError } from '../common/http-error';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { raiseArrivalFloor } from '../common/arrival-order';
import { SpoolQuarantine } from './spool-quarantine';
import { lockSpoolDirIfPossible, SpoolLock } from './spool-lock';
import { registerSpoolMetrics } from './spool.metrics';
import { SpoolWrites } from './spool-writes';
import {
  arrivalOfKey,
  decodeSpoolValue,
  encodeSpoolValue,
  LIVE_END,
  spoolKey,
  spooledSize,
  SpooledNotification,
  StoredNotification,
  WRITER_BYTES,
} from './spool-record';

/** The spool could not make a notification durable (full, or the disk failed); nothing was acknowledged. */
export class SpoolRefusedError extends Error {
  constructor(
    readonly reason: 'full' | 'disk',
    override readonly cause?: unknown,
  ) {
    super(reason === 'full' ? 'spool is full' : 'spool could not write');
    this.name = 'SpoolRefusedError';
  }
}

/**
 * The local spool: notifications that could not be committed to PostgreSQL, made durable on this
 * machine's disk until the drainer applies them. An LMDB environment (lmdb-js): a well-kept
 * embedded B-tree with crash-safe commits, rather than a file format of our own.
 *
 * Durability: `overlappingSync: false`, so the promise of a write settles only once LMDB's commit,
 * fsync included, has returned. With lmdb-js's default (overlappingSync) the promise would settle
 * at commit, before the flush, and an answer sent then could outrun the disk. Writes issued in the
 * same event-loop turn, or while a commit is under way, share the next transaction and so the next
 * fsync: a burst of spooled notifications costs one flush per group, as intake's group commit does.
 *
 * A write that fails (a full disk, EIO, a full map) is that notification's 503, never a crash and
 * never a 2xx (spool-writes.ts); records the database refuses for good are set aside
 * (spool-quarantine.ts). SPOOL_DIR is locked for this process alone (spool-lock.ts).
 */
@Injectable()
export class SpoolStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Spool');
  private db?: RootDatabase<Buffer, Buffer>;
  private lock?: SpoolLock;
  /** This store's part of every key it writes (spool-record.ts). */
  private readonly writer = randomBytes(WRITER_BYTES);
  /** Counted when a write is issued, not when it commits, so the limit holds under a burst. */
  private records = 0;
  /** Waiting and quarantined records together: both take room on the disk. */
  private bytes = 0;
  private spoolingSince?: number;
  private spooledThisEpisode = 0;
  private drainedThisEpisode = 0;
  private readonly waiters = new Set<() => void>();
  readonly writes: SpoolWrites;
  readonly quarantine = new SpoolQuarantine(
    () => this.db,
    (delta) => this.account(delta),
    (write) => this.guarded(write),
  );

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    this.writes = new SpoolWrites(this.logger, config.spool.dir);
  }

  async onModuleInit(): Promise<void> {
    // An unusable SPOOL_DIR stops the boot: a service that cannot spool would answer 503 at the
    // first database outage, and an operator should learn that now, not then.
    mkdirSync(this.config.spool.dir, { recursive: true });
    this.lock = await lockSpoolDirIfPossible(this.config.spool.dir, this.config.production, this.logger);
    this.db = open<Buffer, Buffer>({
      path: this.config.spool.dir,
      keyEncoding: 'binary',
      encoding: 'binary',
      compression: false,
      overlappingSync: false,
      // lmdb-js's event-turn batching opens each batch with a write of its own whose promise
      // nobody holds: when that commit fails (a full disk), the promise's rejection is unhandled
      // and ends the process. Without it, writes of one turn still share a commit (lmdb-js starts
      // writing on the next setImmediate), and every write's promise is one a caller awaits.
      eventTurnBatching: false,
    });
    let last: bigint | undefined;
    for (const { key, value } of this.db.getRange({ end: LIVE_END })) {
      this.records += 1;
      this.bytes += key.length + value.length;
      last = arrivalOfKey(key);
    }
    this.bytes += this.quarantine.load();
    if (last !== undefined) raiseArrivalFloor(last);
    this.metrics.watchSpool(() => this.depth());
    registerSpoolMetrics(this.metrics, () => ({ quarantined: this.quarantine.count, writable: this.writes.ok }));
    if (this.records > 0) this.startSpooling(`${this.records} notifications left in the spool by an earlier run`);
    // The boot found no database (runtime.ts): straight to the spool, rather than each of the first
    // notifications waiting out INTAKE_COMMIT_TIMEOUT_MS first. The drainer ends it once the
    // database is migrated and commits.
    else if (this.config.migrateWhenReachable) this.startSpooling('database unreachable at boot');
    if (this.quarantine.count > 0)
      this.logger.warn(`${this.quarantine.count} quarantined notifications in the spool (GET /v1/spool/quarantine)`);
  }

  /** Whether intake sends notifications here first (the database failed, or the spool is not yet drained). */
  get spooling(): boolean {
    return this.spoolingSince !== undefined;
  }

  get isEmpty(): boolean {
    return this.records === 0;
  }

  /** False from a failed write (a full or failing disk) until a write succeeds again. */
  get writable(): boolean {
    return this.writes.ok;
  }

  /** Whether a notification of `bytes` would still be taken: for readiness. False while writes fail. */
  hasRoom(bytes = 1024): boolean {
    return this.db !== undefined && this.writes.ok && this.bytes + bytes <= this.config.spool.maxBytes;
  }

  depth(): { records: number; bytes: number; oldestReceivedAtMs?: number } {
    const [oldest] = this.oldest(1);
    return { records: this.records, bytes: this.bytes, oldestReceivedAtMs: oldest?.receivedAtMs };
  }

  startSpooling(reason: string): void {
    if (this.spooling) return;
    this.spoolingSince = Date.now();
    this.spooledThisEpisode = 0;
    this.drainedThisEpisode = 0;
    this.logger.warn(`spooling started: ${reason}; ${this.records} notifications in the spool`);
    this.wake();
  }

  /** Called by the drainer once the spool is empty and the database takes commits again. */
  stopSpooling(): void {
    if (!this.spooling || this.records > 0) return;
    const seconds = ((Date.now() - this.spoolingSince!) / 1000).toFixed(1);
    this.logger.log(
      `spooling ended after ${seconds} s: ${this.spooledThisEpisode} notifications spooled, ${this.drainedThisEpisode} drained`,
    );
    this.spoolingSince = undefined;
  }

  /** Resolves once the notification is on disk (fsync returned); throws SpoolRefusedError otherwise. */
  async append(n: SpooledNotification): Promise<void> {
    const db = this.db;
    const size = spooledSize(n);
    if (!db) throw new SpoolRefusedError('disk');
    if (this.bytes + size > this.config.spool.maxBytes) {
      this.metrics.spoolRefused.inc({ reason: 'full' });
      throw new SpoolRefusedError('full');
    }
    this.account({ records: 1, bytes: size });
    try {
      await this.writes.attemptGrowth(db, size, () => db.put(spoolKey(n.arrival, this.writer), encodeSpoolValue(n)));
    } catch (error) {
      this.account({ records: -1, bytes: -size });
      this.metrics.spoolRefused.inc({ reason: 'disk' });
      throw new SpoolRefusedError('disk', error);
    }
    this.spooledThisEpisode += 1;
    this.metrics.spoolWritten.inc();
    this.wake();
  }

  /** The oldest `limit` waiting notifications, in arrival order (quarantined ones are not waiting). */
  oldest(limit: number): StoredNotification[] {
    if (!this.db) return [];
    return [...this.db.getRange({ end: LIVE_END, limit })].map(({ key, value }) => ({
      ...decodeSpoolValue(arrivalOfKey(key), value),
      key: Buffer.from(key),
    }));
  }

  /** Removes notifications the database has committed. Only the drainer calls this, after that commit. */
  async remove(done: readonly StoredNotification[]): Promise<void> {
    const db = this.db;
    if (!db) throw new Error('spool is closed');
    await this.guarded(() => Promise.all(done.map((n) => db.remove(n.key))));
    this.account({ records: -done.length, bytes: -done.reduce((sum, n) => sum + spooledSize(n, n.key.length), 0) });
    this.drainedThisEpisode += done.length;
  }

  /** Sets a notification the database keeps refusing aside, on disk; the drain goes on without it. */
  async setAside(n: StoredNotification, tries: number, error: unknown): Promise<void> {
    await this.quarantine.add(n, { quarantinedAtMs: Date.now(), tries, reason: describeError(error) }, encodeSpoolValue(n));
    this.logger.error(`spooled notification ${n.arrival} quarantined after ${tries} refusals by the database (${describeError(error)})`);
  }

  /** Puts every quarantined notification back in its place in the spool; returns how many. */
  async retryQuarantined(): Promise<number> {
    const moved = await this.quarantine.restoreAll();
    if (moved > 0) {
      // Spooling, so that nothing newer is committed ahead of them while they drain.
      this.startSpooling(`${moved} quarantined notifications retried`);
      this.wake();
    }
    return moved;
  }

  /** Resolves at the next write or start of spooling, or after `ms`: how the idle drainer sleeps. */
  nextChange(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal?.addEventListener('abort', done);
    });
  }

  private guarded<T>(write: () => Promise<T>): Promise<T> {
    const db = this.db;
    if (!db) return Promise.reject(new Error('spool is closed'));
    return this.writes.attempt(db, write);
  }

  private account(delta: { records?: number; bytes?: number }): void {
    this.records += delta.records ?? 0;
    this.bytes += delta.bytes ?? 0;
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  async onModuleDestroy(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    this.writes.stop();
    this.wake();
    // Every acknowledged write was already flushed; this waits for any still under way, then closes.
    await Promise.resolve(db?.flushed).catch(() => undefined);
    await db?.close();
    await this.lock?.release();
  }
}
