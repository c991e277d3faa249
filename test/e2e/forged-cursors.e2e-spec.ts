import { createHash } from 'node:crypto';
import type { ErrorBody } from '../../src/common/http-error';
import { encodeCursor } from '../../src/api/cursor';
import { pageScope } from '../../src/api/keyset';
import { useQueryApp } from './query.support';

const ADMIN = 'forged-cursor-admin-token-0123';

/** A feed cursor of valid shape and check around any payload: the check is no secret. */
function feedCursor(text: string): string {
  const payload = Buffer.from(text, 'utf8').toString('base64url');
  return `${payload}.${createHash('sha256').update(`events-cursor/v1\n${payload}`, 'utf8').digest('base64url').slice(0, 16)}`;
}

/**
 * Cursors are tamper-evident but not secret: anyone can build one with a valid check. Every list
 * must then answer 400 naming the parameter for a position that cannot be one of its rows,
 * never pass it on to a query that fails (500).
 */
describe('forged cursors of valid shape', () => {
  const { get } = useQueryApp({ INTERNAL_API_CLIENTS: `ops:read+admin:${ADMIN}` });
  const at = new Date('2026-11-27T10:00:00Z');

  it.each([
    ['/v1/sessions', 'cursor', pageScope('sessions', {})],
    ['/v1/encounters', 'cursor', pageScope('encounters', {})],
    ['/v1/audit', 'cursor', pageScope('audit', {})],
    ['/v1/artifacts', 'cursor', pageScope('artifacts', { status: 'failed' })],
  ])('%s: a cursor whose id cannot be a row id is a 400 naming %s', async (path, parameter, scope) => {
    // A text id is a fine session or encounter id; for the audit and artifacts only a bigint is.
    const forged = encodeCursor({ updatedAt: at, id: path.endsWith('audit') || path.endsWith('artifacts') ? 'x' : '\u0000' }, scope);
    const answer = await get<ErrorBody>(`${path}?cursor=${forged}`, { token: ADMIN });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain(parameter);
  });

  it.each([
    ['/v1/audit', pageScope('audit', {})],
    ['/v1/artifacts', pageScope('artifacts', { status: 'failed' })],
  ])('%s: a bigint id out of range is a 400 too', async (path, scope) => {
    const forged = encodeCursor({ updatedAt: at, id: '9223372036854775808' }, scope);
    expect((await get(`${path}?cursor=${forged}`, { token: ADMIN })).status).toBe(400);
  });

  it.each([['/v1/audit', pageScope('audit', {})] as const, ['/v1/artifacts', pageScope('artifacts', { status: 'failed' })] as const])(
    '%s: a forged cursor of a possible row is served (it grants nothing filters would not)',
    async (path, scope) => {
      const forged = encodeCursor({ updatedAt: at, id: '12' }, scope);
      expect((await get(`${path}?cursor=${forged}`, { token: ADMIN })).status).toBe(200);
    },
  );

  it.each(['x:1', '1:x', '-1:1', '9223372036854775808:1', '1:2:3'])(
    '/v1/events: forged position %j is a 400 naming after',
    async (text) => {
      const answer = await get<ErrorBody>(`/v1/events?after=${feedCursor(text)}`, { token: ADMIN });
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toContain('after');
    },
  );
});
