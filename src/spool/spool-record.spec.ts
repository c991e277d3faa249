import { arrivalOfKey, decodeSpoolValue, encodeSpoolValue, spoolKey, spooledSize } from './spool-record';

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
    expect(spooledSize(n)).toBe(24 + rawBody.length);
  });

  it('orders keys bytewise as their arrivals order numerically', () => {
    const arrivals = [9n, 1_000n, 255n, 256n, 1_764_600_000_123_004n, 1_764_600_000_123_005n, 0n];
    const byKey = [...arrivals].sort((a, b) => Buffer.compare(spoolKey(a), spoolKey(b)));
    expect(byKey).toEqual([...arrivals].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    for (const arrival of arrivals) expect(arrivalOfKey(spoolKey(arrival))).toBe(arrival);
  });

  it('refuses a value too short to hold its header', () => {
    expect(() => decodeSpoolValue(1n, Buffer.alloc(10))).toThrow('truncated');
  });
});
