import { isTransientDatabaseError } from './transient-database-error';

/** How Prisma's driver adapter wraps a PostgreSQL error. */
const adapterError = (originalCode: string, kind = 'postgres') => ({
  name: 'DriverAdapterError',
  meta: { driverAdapterError: { cause: { kind, originalCode, code: originalCode } } },
});

describe('isTransientDatabaseError', () => {
  it.each([
    ['a statement timeout', adapterError('57014')],
    ['a lock timeout', adapterError('55P03')],
    ['a deadlock', adapterError('40P01')],
    ['a serialization failure', adapterError('40001')],
    ['a connection lost', { code: 'ECONNRESET' }],
    ['the server shutting down', adapterError('57P01')],
    ['pg with a timeout as the cause', new Error('wrapped', { cause: { code: '57014' } })],
    ["pg's own query timeout", new Error('Query read timeout')],
  ])('%s passes', (_name, error) => {
    expect(isTransientDatabaseError(error)).toBe(true);
  });

  it.each([
    ['a value the database refuses', adapterError('22P05')],
    ['a constraint', adapterError('23505')],
    ['anything else', new Error('boom')],
    ['nothing', undefined],
  ])('%s does not', (_name, error) => {
    expect(isTransientDatabaseError(error)).toBe(false);
  });
});
