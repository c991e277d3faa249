import { SIGNED_VECTORS } from '../../test/support/suki-vectors';
import { parseNotification } from './notification';

/** The wire fields of a signed vector's body that these tests compare against. */
type VectorBody = { session_id: string; encounter_id: string; status: string; sessions?: string[] };
const bodyOf = (vector: { body: string }) => JSON.parse(vector.body) as VectorBody;

const parse = (body: unknown) => parseNotification(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));

describe('parseNotification', () => {
  it.each(SIGNED_VECTORS)('reads vector $id', (vector) => {
    const parsed = parseNotification(Buffer.from(vector.body));
    const raw = bodyOf(vector);
    expect(parsed).toMatchObject({
      usable: true,
      notification: { sessionId: raw.session_id, encounterId: raw.encounter_id, vendorStatus: raw.status },
    });
  });

  it('keeps the fields of a full success', () => {
    const s1 = bodyOf(SIGNED_VECTORS[0]);
    const parsed = parse(s1);
    if (!parsed.usable) throw new Error('expected usable');
    expect(parsed.notification).toMatchObject({
      status: 'completed',
      additionalInfo: { priority: 'high' },
      sessions: s1.sessions,
    });
    expect(Object.keys(parsed.notification.links ?? {})).toHaveLength(6);
  });

  it('keeps error code and detail of a failure, and tolerates a missing detail', () => {
    expect(parse({ session_id: 's', encounter_id: 'e', status: 'failure', error_code: 'X', error_detail: 'why' })).toMatchObject({
      notification: { status: 'failed', errorCode: 'X', errorDetail: 'why' },
    });
    expect(parse({ session_id: 's', encounter_id: 'e', status: 'failure', error_code: 'X' })).toMatchObject({
      notification: { errorCode: 'X', errorDetail: undefined },
    });
  });

  it.each([
    ['an unknown status', { session_id: 's', encounter_id: 'e', status: 'in_progress' }],
    ['no status at all', { session_id: 's', encounter_id: 'e' }],
    ['a non-string status', { session_id: 's', encounter_id: 'e', status: 3 }],
  ])('accepts %s as usable but unrecognised', (_name, body) => {
    expect(parse(body)).toMatchObject({ usable: true, notification: { status: undefined } });
  });

  it('ignores optional fields of the wrong type instead of refusing the notification', () => {
    const parsed = parse({ session_id: 's', encounter_id: 'e', status: 'success', sessions: 'nope', _links: [1], error_code: 5 });
    expect(parsed).toMatchObject({ usable: true, notification: { sessions: [], links: undefined, errorCode: undefined } });
  });

  it('drops unusable ids from the sessions array and de-duplicates it', () => {
    const parsed = parse({ session_id: 's', encounter_id: 'e', status: 'success', sessions: ['a', 'a', '', 7, null, 'b'] });
    expect(parsed).toMatchObject({ notification: { sessions: ['a', 'b'] } });
  });

  it.each([
    ['not JSON', 'not json', 'body is not valid UTF-8 JSON'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'body is not valid UTF-8 JSON'],
    ['a JSON array', '[1,2]', 'body is not a JSON object'],
    ['JSON null', 'null', 'body is not a JSON object'],
    ['no session_id', { encounter_id: 'e', status: 'success' }, 'session_id is missing or not a usable id'],
    ['a numeric session_id', { session_id: 5, encounter_id: 'e', status: 'success' }, 'session_id is missing or not a usable id'],
    ['a blank session_id', { session_id: '  ', encounter_id: 'e', status: 'success' }, 'session_id is missing or not a usable id'],
    [
      'a session_id with a NUL',
      { session_id: 'a\u0000b', encounter_id: 'e', status: 'success' },
      'session_id is missing or not a usable id',
    ],
    [
      'a session_id with a lone surrogate',
      { session_id: 'a\ud800', encounter_id: 'e', status: 'success' },
      'session_id is missing or not a usable id',
    ],
    [
      'an encounter_id with a lone surrogate',
      { session_id: 's', encounter_id: '\udc00e', status: 'success' },
      'encounter_id is missing or not a usable id',
    ],
    [
      'an over-long session_id',
      { session_id: 'x'.repeat(256), encounter_id: 'e', status: 'success' },
      'session_id is missing or not a usable id',
    ],
    ['no encounter_id', { session_id: 's', status: 'success' }, 'encounter_id is missing or not a usable id'],
  ])('refuses %s', (_name, body, reason) => {
    const raw = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    expect(parseNotification(raw)).toMatchObject({ usable: false, reason });
  });

  it.each([
    ['a leading space', ' a'],
    ['a trailing space', 'a '],
    ['a no-break space', 'a\u00a0'],
  ])('keeps an id with %s exactly as sent, never trimmed', (_name, id) => {
    expect(parse({ session_id: id, encounter_id: id, status: 'success', sessions: [id, 'a'] })).toMatchObject({
      usable: true,
      notification: { sessionId: id, encounterId: id, sessions: [id, 'a'] },
    });
  });

  it.each([
    ['a byte-order mark', '\ufeffbom'],
    ['a line separator', 'a\u2028b'],
    ['a right-to-left override', 'a\u202eb'],
    ['NEL', 'a\u0085b'],
  ])('refuses an id with %s rather than changing it', (_name, id) => {
    expect(parse({ session_id: id, encounter_id: 'e', status: 'success' })).toMatchObject({ usable: false });
    expect(parse({ session_id: 's', encounter_id: 'e', status: 'success', sessions: [id] })).toMatchObject({
      notification: { sessions: [] },
    });
  });

  it('makes known at most maxKnownSessions sessions and counts the entries left out', () => {
    const sessions = Array.from({ length: 250 }, (_, i) => `s-${i}`);
    const parsed = parseNotification(Buffer.from(JSON.stringify({ session_id: 's', encounter_id: 'e', status: 'success', sessions })), {
      maxKnownSessions: 100,
    });
    expect(parsed).toMatchObject({ notification: { sessions: sessions.slice(0, 100), sessionsLeftOut: 150 } });
  });

  it('leaves out what cannot be stored, saying which field and why', () => {
    const deep = JSON.parse('['.repeat(1001) + ']'.repeat(1001)) as unknown;
    expect(
      parse({ session_id: 's', encounter_id: 'e', status: 'success', additional_info: deep, _links: { contents: 'x' } }),
    ).toMatchObject({
      notification: {
        additionalInfo: undefined,
        storedLinks: { contents: 'x' },
        unstored: [{ field: 'additional_info', reason: 'nested deeper than 1000 levels; not stored' }],
      },
    });
    const surrogate = '{"session_id":"s","encounter_id":"e","status":"failure","error_detail":"a\\ud800","_links":{"k":"\\udfff"}}';
    expect(parse(surrogate)).toMatchObject({
      notification: {
        errorDetail: 'a\ufffd',
        links: { k: '\udfff' },
        storedLinks: undefined,
        unstored: [
          { field: 'error_detail', reason: 'unpaired surrogate replaced by U+FFFD' },
          { field: '_links', reason: 'holds an unpaired surrogate; not stored' },
        ],
      },
    });
    expect(parse({ session_id: 's', encounter_id: 'e', status: 'success', additional_info: { a: [1, { b: 'ok' }] } })).toMatchObject({
      notification: { additionalInfo: { a: [1, { b: 'ok' }] }, unstored: [] },
    });
  });

  it('looks into every derived value when the text could hide a lone surrogate, and stores what it finds well formed', () => {
    // A paired surrogate written as escapes, and an escaped backslash before "ud800": both well formed.
    const body = '{"session_id":"s","encounter_id":"e","status":"success","additional_info":{"a":"\\ud83d\\ude00","b":"\\\\ud800"}}';
    expect(parse(body)).toMatchObject({ notification: { additionalInfo: { a: '\u{1F600}', b: '\\ud800' }, unstored: [] } });
    // A lone surrogate in a short body, deep inside a value.
    const lone = '{"session_id":"s","encounter_id":"e","status":"success","additional_info":{"a":[{"b":["\\udc00"]}]}}';
    expect(parse(lone)).toMatchObject({
      notification: {
        additionalInfo: undefined,
        unstored: [{ field: 'additional_info', reason: 'holds an unpaired surrogate; not stored' }],
      },
    });
  });

  it('keeps the vendor status of an unusable body for the record', () => {
    expect(parse({ status: 'success' })).toMatchObject({ usable: false, vendorStatus: 'success' });
  });
});
