import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { open, RootDatabase } from 'lmdb';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { raiseArrivalFloor } from '../common/arrival-order';
import { arrivalOfKey, decodeSpoolValue, encodeSpoolValue, spoolKey, spooledSize, SpooledNotification } from './spool-record';

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
 */
@Injectable()
export class SpoolStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Spool');
  private db?: RootDatabase<Buffer, Buffer>;
  /** Counted when a write is issued, not when it commits, so the limit holds under a burst. */
  private records = 0;
  private bytes = 0;
  private spoolingSince?: number;
  private spooledThisEpisode = 0;
  private drainedThisEpisode = 0;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    // An unusable SPOOL_DIR stops the boot: a service that cannot spool would answer 503 at the
    // first database outage, and an operator should learn that now, not then.
    mkdirSync(this.config.spool.dir, { recursive: true });
    this.db = open<Buffer, Buffer>({
      path: this.config.spool.dir,
      keyEncoding: 'binary',
      encoding: 'binary',
      compression: false,
      overlappingSync: false,
    });
    let last: bigint | undefined;
    for (const { key, value } of this.db.getRange()) {
      this.records += 1;
      this.bytes += 8 + value.length;
      last = arrivalOfKey(key);
    }
    if (last !== undefined) raiseArrivalFloor(last);
    this.metrics.watchSpool(() => this.depth());
    if (this.records > 0) this.startSpooling(`${this.records} notifications left in the spool by an earlier run`);
  }

  /** Whether intake sends notifications here first (the database failed, or the spool is not yet drained). */
  get spooling(): boolean {
    return this.spoolingSince !== undefined;
  }

  get isEmpty(): boolean {
    return this.records === 0;
  }

  /** Whether a notification of `bytes` would still be taken: for readiness. */
  hasRoom(bytes = 1024): boolean {
    return this.db !== undefined && this.bytes + bytes <= this.config.spool.maxBytes;
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
    this.records += 1;
    this.bytes += size;
    try {
      await db.put(spoolKey(n.arrival), encodeSpoolValue(n));
    } catch (error) {
      this.records -= 1;
      this.bytes -= size;
      this.metrics.spoolRefused.inc({ reason: 'disk' });
      throw new SpoolRefusedError('disk', error);
    }
    this.spooledThisEpisode += 1;
    this.metrics.spoolWritten.inc();
    this.wake();
  }

  /** The oldest `limit` notifications, in arrival order. */
  oldest(limit: number): SpooledNotification[] {
    if (!this.db) return [];
    return [...this.db.getRange({ limit })].map(({ key, value }) => decodeSpoolValue(arrivalOfKey(key), value));
  }

  /** Removes notifications the database has committed. Only the drainer calls this, after that commit. */
  async remove(done: readonly SpooledNotification[]): Promise<void> {
    const db = this.db;
    if (!db) throw new Error('spool is closed');
    await Promise.all(done.map((n) => db.remove(spoolKey(n.arrival))));
    this.records -= done.length;
    this.bytes -= done.reduce((sum, n) => sum + spooledSize(n), 0);
    this.drainedThisEpisode += done.length;
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

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  async onModuleDestroy(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    this.wake();
    // Every acknowledged write was already flushed; this waits for any still under way, then closes.
    await db?.flushed;
    await db?.close();
  }
}
