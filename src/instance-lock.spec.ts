import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireInstanceLock, INSTANCE_LOCK_FILE, InstanceLockedError } from './instance-lock';

describe('acquireInstanceLock', () => {
  let dataDir: string;
  const lockFile = () => join(dataDir, INSTANCE_LOCK_FILE);
  const lockOf = (content: object) => writeFileSync(lockFile(), JSON.stringify(content));

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'suki-lock-'));
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('writes pid, port and start time, updates the port, and removes the file on release', () => {
    const lock = acquireInstanceLock(dataDir, 0, new Date('2026-12-01T10:00:00Z'));
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toEqual({ pid: process.pid, port: 0, startedAt: '2026-12-01T10:00:00.000Z' });
    lock.setPort(3456);
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({ pid: process.pid, port: 3456 });
    lock.release();
    expect(existsSync(lockFile())).toBe(false);
  });

  it('refuses, in one line naming pid and port, while a live process holds it', () => {
    lockOf({ pid: process.ppid, port: 3000, startedAt: '2026-12-01T09:00:00.000Z' });
    const attempt = () => acquireInstanceLock(dataDir, 3001);
    expect(attempt).toThrow(InstanceLockedError);
    expect(attempt).toThrow(
      `another instance (pid ${process.ppid}, port 3000) is using DATA_DIR ${dataDir}, since 2026-12-01T09:00:00.000Z`,
    );
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({ pid: process.ppid });
  });

  it('takes over the lock of a process that is gone, or a file a crash left unreadable', () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    lockOf({ pid: gone, port: 3000, startedAt: '2026-12-01T09:00:00.000Z' });
    acquireInstanceLock(dataDir, 3001).release();
    writeFileSync(lockFile(), '{"pid":');
    const lock = acquireInstanceLock(dataDir, 3002);
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({ pid: process.pid, port: 3002 });
    lock.release();
  });

  it('does not remove a lock another process has taken since', () => {
    const lock = acquireInstanceLock(dataDir, 3000);
    lockOf({ pid: process.ppid, port: 3001, startedAt: '2026-12-01T09:00:00.000Z' });
    lock.release();
    expect(existsSync(lockFile())).toBe(true);
  });
});
