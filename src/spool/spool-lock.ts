import { Logger } from '@nestjs/common';
import { ChildProcessByStdio, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const SPOOL_LOCK_FILE = 'spool.lock';
/** flock's exit code when the lock is held (its -E option): EX_TEMPFAIL. */
const HELD = 75;

export class SpoolLockedError extends Error {
  constructor(dir: string) {
    super(`SPOOL_DIR ${dir} is in use by another process (${SPOOL_LOCK_FILE} is locked): give each replica a spool of its own`);
    this.name = 'SpoolLockedError';
  }
}

export interface SpoolLock {
  /** Frees the lock (after the spool is closed); resolves once it is free. */
  release(): Promise<void>;
}

/**
 * An exclusive kernel lock (flock(2)) on SPOOL_DIR/spool.lock, held for as long as this process
 * lives. Two processes on one spool would number arrivals alike and each count only its own
 * writes: the lock refuses the second at boot.
 *
 * Why flock, and why through a child: LMDB itself lets many processes share an environment, so
 * it cannot refuse one. A pid file cannot tell a live holder from a dead one across containers
 * that share a volume (each has its own pid namespace, where the service is often pid 1);
 * flock is the kernel's, holds across containers on one host, and dies with its holder, so
 * there is never a stale lock to judge. Node has no flock API (and no package is added for it):
 * util-linux's `flock` (in Debian and the node:*-slim images) takes it and then runs `cat` with
 * its stdin a pipe from this process. However this process ends, kill -9 included, the pipe
 * closes, `cat` sees the end of its input and exits, and the kernel frees the lock.
 *
 * `waitMs` covers a predecessor that was just killed: its `cat` needs a moment to see the pipe close.
 */
export function lockSpoolDir(dir: string, waitMs = 2_000, logger = new Logger('Spool')): Promise<SpoolLock> {
  const file = join(resolve(dir), SPOOL_LOCK_FILE);
  return new Promise((resolveLock, reject) => {
    // detached: its own process group, so a Ctrl-C at a terminal (SIGINT to the foreground group)
    // cannot free the lock while this process is still draining.
    const child: ChildProcessByStdio<Writable, Readable, null> = spawn(
      'flock',
      ['-x', '-w', String(waitMs / 1000), '-E', String(HELD), file, 'sh', '-c', 'echo locked && exec cat'],
      { stdio: ['pipe', 'pipe', 'ignore'], detached: true },
    );
    let held = false;
    let releasing = false;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.once('error', (error) => reject(error));
    child.stdin.on('error', () => undefined); // EPIPE once the child is gone: its exit says what matters
    child.once('exit', (code) => {
      if (!held) return reject(code === HELD ? new SpoolLockedError(resolve(dir)) : new Error(`flock exited ${code} on ${file}`));
      if (!releasing) logger.error(`the lock on ${file} was lost (its flock process ended): another process could now open this spool`);
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (held || !chunk.startsWith('locked')) return;
      held = true;
      // Nothing of the child may keep the event loop alive: it lives exactly as long as this process.
      child.unref();
      (child.stdin as Writable & { unref?(): void }).unref?.();
      (child.stdout as Readable & { unref?(): void }).unref?.();
      resolveLock({
        release: async () => {
          releasing = true;
          child.stdin.end();
          await exited;
        },
      });
    });
  });
}

/**
 * lockSpoolDir, or nothing where util-linux is missing (a developer's Mac): one spool per process
 * cannot be enforced there, which production does not accept.
 */
export async function lockSpoolDirIfPossible(dir: string, production: boolean, logger: Logger): Promise<SpoolLock | undefined> {
  try {
    return await lockSpoolDir(dir, undefined, logger);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (production) throw new Error('the `flock` command (util-linux) is required to lock SPOOL_DIR', { cause: error });
    logger.warn('`flock` not found: SPOOL_DIR is not locked; never point two instances at one spool');
    return undefined;
  }
}
