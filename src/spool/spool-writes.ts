import { Logger } from '@nestjs/common';
import { statfs } from 'node:fs/promises';
import type { RootDatabase } from 'lmdb';
import { PROBE_KEY } from './spool-record';

/** How often a failing spool tries a write of its own, to learn that the disk takes writes again. */
const PROBE_MS = 1_000;
/** About the size of a large notification: room for this is room for the next one. */
const PROBE_BYTES = 64 * 1024;
/**
 * Free space kept back on SPOOL_DIR's filesystem: a tenth of it, from 256 KiB to 8 MiB. LMDB must
 * never itself run out: a commit that does (ENOSPC while it spills dirty pages) has been seen to
 * corrupt lmdb-js's heap and abort the process, which no handler can catch. So a write is refused
 * here first, while LMDB still has room to commit what the drain removes.
 */
export function reserveBytes(filesystemBytes: number): number {
  return Math.min(8 * 1024 * 1024, Math.max(256 * 1024, Math.floor(filesystemBytes / 10)));
}

/** Raised in place of LMDB's own ENOSPC when a write would eat into the reserve. */
export class SpoolDiskFullError extends Error {
  readonly code = 'ENOSPC';
  constructor() {
    super('SPOOL_DIR has no room left beyond its reserve');
    this.name = 'SpoolDiskFullError';
  }
}

/** lmdb-js rejects a failed commit's own error just after the writes': waited for this long at most. */
const COMMIT_ERROR_WAIT_MS = 500;

/** The name and code of a disk error, for logs (its message could name a path; that is fine, but codes are enough). */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : error instanceof Error ? error.message : 'error';
}

/** The error under lmdb-js's "Commit failed" (see below), handled whether or not it ever settles. */
async function realCause(error: unknown): Promise<unknown> {
  const commitError = (error as { commitError?: Promise<unknown> } | undefined)?.commitError;
  if (!commitError || typeof commitError.then !== 'function') return error;
  const real = commitError.then(
    () => error,
    (cause: unknown) => cause,
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<unknown>((resolve) => (timer = setTimeout(() => resolve(error), COMMIT_ERROR_WAIT_MS)));
  try {
    return await Promise.race([real, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The health of the spool's writes: the outcome of the last one. Every write goes through
 * attempt(), which turns any failure (ENOSPC, EIO, a full LMDB map) into a rejection for that
 * write alone. While writes fail, readiness says so (SpoolStore.hasRoom) and a probe write is
 * tried every PROBE_MS, so readiness recovers once the disk has room even if no notification
 * comes to try (the load balancer sends none to a replica that is not ready).
 *
 * lmdb-js quirk: a failed commit rejects each write's promise with "Commit failed", whose
 * `commitError` is a second promise, rejected with the real error (EIO, ENOSPC) and awaited by
 * nobody. Left alone it is an unhandled rejection, and Node ends the process on it: the crash a
 * full disk used to cause. It is handled here.
 */
export class SpoolWrites {
  private failingSince?: number;
  private failures = 0;
  private probe?: NodeJS.Timeout;
  private probing = false;
  private stopped = false;
  /** Bytes of writes under way, not yet on disk: counted against the free space, as a burst shares it. */
  private pending = 0;

  constructor(
    private readonly logger: Logger,
    /** SPOOL_DIR; without it (unit tests) free space is not checked. */
    private readonly dir?: string,
  ) {}

  /** False from a failed write until a write succeeds again. */
  get ok(): boolean {
    return this.failingSince === undefined;
  }

  async attempt<T>(db: RootDatabase<Buffer, Buffer>, write: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await write();
    } catch (error) {
      const cause = await realCause(error);
      this.failed(db, cause);
      throw cause;
    }
    this.succeeded();
    return result;
  }

  /** A write that adds `bytes` to the spool: refused before LMDB sees it when the filesystem is short of room. */
  async attemptGrowth<T>(db: RootDatabase<Buffer, Buffer>, bytes: number, write: () => Promise<T>): Promise<T> {
    this.pending += bytes;
    try {
      return await this.attempt(db, async () => {
        if (!(await this.roomFor(bytes))) throw new SpoolDiskFullError();
        return write();
      });
    } finally {
      this.pending -= bytes;
    }
  }

  /** LMDB copies on write: a record can take about twice its size until older pages are reused. */
  private async roomFor(bytes: number): Promise<boolean> {
    if (!this.dir) return true;
    const fs = await statfs(this.dir).catch(() => undefined);
    if (!fs) return true; // a filesystem that cannot say: LMDB's own error is the only guard
    return fs.bavail * fs.bsize >= 2 * (bytes + this.pending) + reserveBytes(fs.blocks * fs.bsize);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.probe);
  }

  private failed(db: RootDatabase<Buffer, Buffer>, error: unknown): void {
    this.failures += 1;
    if (this.failingSince !== undefined) return;
    this.failingSince = Date.now();
    this.logger.error(`spool writes fail (${codeOf(error)}): notifications that need the spool are answered 503 until one succeeds`);
    this.probe = setInterval(() => void this.tryProbe(db), PROBE_MS);
    this.probe.unref();
  }

  private succeeded(): void {
    if (this.failingSince === undefined) return;
    const seconds = ((Date.now() - this.failingSince) / 1000).toFixed(1);
    this.logger.log(`spool writes succeed again after ${seconds} s (${this.failures} failed meanwhile)`);
    this.failingSince = undefined;
    this.failures = 0;
    clearInterval(this.probe);
  }

  private async tryProbe(db: RootDatabase<Buffer, Buffer>): Promise<void> {
    if (this.probing || this.stopped || this.failingSince === undefined) return;
    this.probing = true;
    try {
      await this.attemptGrowth(db, PROBE_BYTES, async () => {
        await db.put(PROBE_KEY, Buffer.alloc(PROBE_BYTES));
        await db.remove(PROBE_KEY);
      });
    } catch {
      // still failing; the next probe tries again
    } finally {
      this.probing = false;
    }
  }
}
