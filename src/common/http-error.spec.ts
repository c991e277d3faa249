import { isConnectionError, isWriteConflict } from './http-error';

/** Errors shaped as Prisma 7 raises them through @prisma/adapter-pg, and as pg raises them. */
const throughPrisma = (cause: Record<string, unknown>) =>
  Object.assign(new Error('driver adapter error'), { name: 'DriverAdapterError', meta: { driverAdapterError: { cause } } });
const fromPg = (code: string) => Object.assign(new Error('pg error'), { code });

describe('isWriteConflict', () => {
  it.each([
    ['a deadlock through Prisma', throughPrisma({ kind: 'TransactionWriteConflict', originalCode: '40P01' })],
    ['a serialization failure through Prisma', throughPrisma({ kind: 'TransactionWriteConflict', originalCode: '40001' })],
    ['a deadlock from pg', fromPg('40P01')],
    ['a wrapped deadlock', new Error('outer', { cause: fromPg('40P01') })],
  ])('recognises %s', (_case, error) => {
    expect(isWriteConflict(error)).toBe(true);
    expect(isConnectionError(error)).toBe(false);
  });

  it.each([
    ['a unique violation', throughPrisma({ kind: 'UniqueConstraintViolation', originalCode: '23505' })],
    ['invalid input', fromPg('22P02')],
    ['a lost connection', fromPg('ECONNRESET')],
    ['no error at all', undefined],
  ])('does not take %s for one', (_case, error) => {
    expect(isWriteConflict(error)).toBe(false);
  });
});

describe('isConnectionError', () => {
  it.each([
    ["pg's connect timeout (a database that hangs: SIGSTOP, a frozen failover)", new Error('timeout expired')],
    ["a pool's connect timeout", new Error('timeout exceeded when trying to connect')],
    ['a refused connection', fromPg('ECONNREFUSED')],
  ])('recognises %s', (_case, error) => {
    expect(isConnectionError(error)).toBe(true);
  });

  it('does not take a message that merely mentions a timeout for one', () => {
    expect(isConnectionError(new Error('statement timeout expired while parsing'))).toBe(false);
  });
});
