import { Logger } from '@nestjs/common';
import type { RootDatabase } from 'lmdb';
import { reserveBytes, SpoolWrites } from './spool-writes';

/** A failed commit as lmdb-js reports it: the write rejects, and the real error comes on a second promise. */
function lmdbCommitFailure(code: number): Error {
  let reject!: (error: unknown) => void;
  const commitError = new Promise((_, fail) => (reject = fail));
  const failure = Object.assign(new Error('Commit failed (see commitError for details)'), { commitError });
  setImmediate(() => reject(Object.assign(new Error('Input/output error'), { code })));
  return failure;
}

const quiet = { error: () => undefined, log: () => undefined } as unknown as Logger;
const db = {} as RootDatabase<Buffer, Buffer>;

describe('SpoolWrites', () => {
  it('turns a failed commit into that write’s error, with the real cause, and leaves no rejection unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const writes = new SpoolWrites(quiet);
    try {
      await expect(writes.attempt(db, () => Promise.reject(lmdbCommitFailure(5)))).rejects.toMatchObject({ code: 5 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
      expect(writes.ok).toBe(false);
      await expect(writes.attempt(db, () => Promise.resolve('written'))).resolves.toBe('written');
      expect(writes.ok).toBe(true);
    } finally {
      writes.stop();
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it.each([
    ['ENOSPC', Object.assign(new Error('No space left on device'), { code: 'ENOSPC' })],
    ['a full map', Object.assign(new Error('MDB_MAP_FULL'), { code: -30792 })],
  ])('reports %s as not ok until a write succeeds', async (_name, error) => {
    const writes = new SpoolWrites(quiet);
    await expect(writes.attempt(db, () => Promise.reject(error))).rejects.toBe(error);
    expect(writes.ok).toBe(false);
    writes.stop();
  });
});

describe('reserveBytes', () => {
  it.each([
    [1024 * 1024, 256 * 1024],
    [3 * 1024 * 1024, 314_572],
    [10 * 1024 * 1024 * 1024, 8 * 1024 * 1024],
  ])('keeps back, of a %i-byte filesystem, %i bytes', (total, reserve) => {
    expect(reserveBytes(total)).toBe(reserve);
  });
});
