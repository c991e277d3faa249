import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The embedded PostgreSQL runs in a process group of its own (see embedded-database.ts), so an
 * instance killed with -9 leaves it running, and it would make the next start fail. Called
 * under DATA_DIR's instance lock, so a live postmaster in this data directory is an orphan:
 * it gets PostgreSQL's fast shutdown (SIGINT; committed data is safe) and is waited for.
 */
export async function stopOrphanedPostgres(
  databaseDir: string,
  logger = new Logger('EmbeddedDatabase'),
  timeoutMs = 15_000,
): Promise<void> {
  const pid = await postmasterPid(databaseDir);
  if (pid === undefined || !(await isPostgres(pid))) return;
  logger.warn(`stopping the embedded PostgreSQL (pid ${pid}) an earlier instance left running`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`the embedded PostgreSQL left running (pid ${pid}) did not stop within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The first line of postmaster.pid is the postmaster's pid. */
async function postmasterPid(databaseDir: string): Promise<number | undefined> {
  const text = await readFile(join(databaseDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const pid = Number(text?.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

/** A reused pid must not be signalled: on Linux, check that it runs postgres. */
async function isPostgres(pid: number): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return cmdline === undefined ? process.platform !== 'linux' : cmdline.includes('postgres');
}

/** A zombie (exited, not yet reaped: a container without an init reaps nothing) counts as gone. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
