import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * One development instance per DATA_DIR: its embedded PostgreSQL and generated secrets are not
 * shareable, and a second `npm start` must not rebuild dist/ or start a second PostgreSQL under
 * a running one. `scripts/instance-lock.js` (run by `npm start` before it builds) reads the same
 * file with the same rules.
 */
export const INSTANCE_LOCK_FILE = 'instance.lock';

export interface InstanceLockContent {
  pid: number;
  port: number;
  startedAt: string;
}

export interface InstanceLock {
  /** The port actually listened on (PORT=0 picks one), for the next instance's message. */
  setPort(port: number): void;
  /** Removes the file if it is still this process's; also done on any exit. */
  release(): void;
}

export class InstanceLockedError extends Error {
  constructor(
    readonly holder: InstanceLockContent,
    dataDir: string,
  ) {
    super(`another instance (pid ${holder.pid}, port ${holder.port}) is using DATA_DIR ${dataDir}, since ${holder.startedAt}`);
    this.name = 'InstanceLockedError';
  }
}

/**
 * Takes DATA_DIR/instance.lock, created exclusively so that two instances starting at once
 * cannot both win. A lock whose pid is no longer alive (a crashed or killed instance) is taken
 * over; one held by a live process refuses with InstanceLockedError.
 */
export function acquireInstanceLock(dataDir: string, port: number, now = new Date()): InstanceLock {
  const dir = resolve(dataDir);
  const file = join(dir, INSTANCE_LOCK_FILE);
  mkdirSync(dir, { recursive: true });
  let content: InstanceLockContent = { pid: process.pid, port, startedAt: now.toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(content), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = readLock(file);
      if (holder && holder.pid !== process.pid && isAlive(holder.pid)) throw new InstanceLockedError(holder, dir);
      unlinkSync(file); // stale: its process is gone (or the file is unreadable, half-written by a crash)
    }
  }
  const release = () => {
    if (readLock(file)?.pid === process.pid) unlinkSync(file);
    process.removeListener('exit', release);
  };
  // process.exit() from anywhere (a failed boot, the shutdown deadline) still releases it.
  process.on('exit', release);
  return {
    setPort(actual) {
      content = { ...content, port: actual };
      writeFileSync(file, JSON.stringify(content));
    },
    release,
  };
}

function readLock(file: string): InstanceLockContent | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<InstanceLockContent>;
    return Number.isInteger(parsed.pid) ? (parsed as InstanceLockContent) : undefined;
  } catch {
    return undefined;
  }
}

/** Signal 0 checks existence only; EPERM means alive but someone else's. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
