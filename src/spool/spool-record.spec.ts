import {
  arrivalOfKey,
  decodeQuarantineValue,
  decodeSpoolValue,
  encodeQuarantineValue,
  encodeSpoolValue,
  LIVE_END,
  spoolKey,
  spooledSize,
} from './spool-record';

const WRITER = Buffer.from('0123456789abcdef', 'hex');

describe('spool records', () => {
  it.each([
    ['a plain JSON body', Buffer.from('{"session_id":"s"}')],
    ['an empty body', Buffer.alloc(0)],
    ['bytes that are not UTF-8', Buffer.from([0xff, 0x00, 0xfe, 0x0a])],
  ])('round-trips %s byte for byte with its times', (_name, rawBody) => {
    const n = { arrival: 1_764_600_000_123_004n, generatedAtMs: 1_764_600_000_100, receivedAtMs: 1_764_600_000_123, rawBody };
    const decoded = decodeSpoolValue(n.arrival, encodeSpoolValue(n));
    expect(decoded).toEqual(n);
    expect(Buffer.compare(decoded.rawBody, rawBody)).toBe(0);
    expect(spooledSize(n)).toBe(32 + rawBody.length);
  });

  it('orders keys bytewise as their arrivals order numerically', () => {
    const arrivals = [9n, 1_000n, 255n, 256n, 1_764_600_000_123_004n, 1_764_600_000_123_005n, 0n];
    const byKey = [...arrivals].sort((a, b) => Buffer.compare(spoolKey(a, WRITER), spoolKey(b, WRITER)));
    expect(byKey).toEqual([...arrivals].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    for (const arrival of arrivals) expect(arrivalOfKey(spoolKey(arrival, WRITER))).toBe(arrival);
    // Every realistic arrival (a microsecond-scale epoch, centuries ahead) is below the other key spaces.
    expect(Buffer.compare(spoolKey(BigInt(Date.UTC(2500, 0)) * 1000n, WRITER), LIVE_END)).toBe(-1);
  });

  it('gives two writers of the same arrival two keys, and reads the keys of an earlier version (the arrival alone)', () => {
    const other = Buffer.from('fedcba9876543210', 'hex');
    expect(spoolKey(7n, WRITER).equals(spoolKey(7n, other))).toBe(false);
    const old = Buffer.alloc(8);
    old.writeBigUInt64BE(7n);
    expect(arrivalOfKey(old)).toBe(7n);
    expect(arrivalOfKey(spoolKey(7n, other))).toBe(7n);
    // An old key sorts just before a new key of the same arrival, and after every earlier arrival.
    expect(Buffer.compare(old, spoolKey(7n, WRITER))).toBe(-1);
    expect(Buffer.compare(spoolKey(6n, other), old)).toBe(-1);
  });

  it('keeps a quarantined value verbatim behind its note', () => {
    const original = encodeSpoolValue({ arrival: 1n, generatedAtMs: 1, receivedAtMs: 2, rawBody: Buffer.from([0xff, 0x00]) });
    const note = { quarantinedAtMs: 3, tries: 5, reason: 'DriverAdapterError P0001' };
    const decoded = decodeQuarantineValue(encodeQuarantineValue(note, original));
    expect(decoded.note).toEqual(note);
    expect(decoded.original.equals(original)).toBe(true);
  });

  it('refuses a value too short to hold its header', () => {
    expect(() => decodeSpoolValue(1n, Buffer.alloc(10))).toThrow('truncated');
  });
});
