/**
 * One notification as the spool keeps it: exactly what intake verified, nothing derived. The
 * record is rebuilt from these bytes on drain by the same code that built it at arrival, so a
 * drained notification cannot differ from one committed on time.
 */
export interface SpooledNotification {
  /** The arrival number given at intake (intake-record.ts); it is also the spool key. */
  arrival: bigint;
  generatedAtMs: number;
  receivedAtMs: number;
  rawBody: Buffer;
}

const HEADER_BYTES = 16;

/**
 * Keys are the arrival as 8 big-endian bytes: LMDB orders keys bytewise, so the spool iterates
 * in arrival order, and two records can only share a key if they share an arrival number.
 */
export function spoolKey(arrival: bigint): Buffer {
  const key = Buffer.alloc(8);
  key.writeBigUInt64BE(arrival);
  return key;
}

export function arrivalOfKey(key: Uint8Array): bigint {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).readBigUInt64BE();
}

/** generated-at and received time (ms, as doubles: exact for any epoch millisecond), then the body. */
export function encodeSpoolValue(n: SpooledNotification): Buffer {
  const value = Buffer.allocUnsafe(HEADER_BYTES + n.rawBody.length);
  value.writeDoubleBE(n.generatedAtMs, 0);
  value.writeDoubleBE(n.receivedAtMs, 8);
  n.rawBody.copy(value, HEADER_BYTES);
  return value;
}

export function decodeSpoolValue(arrival: bigint, value: Uint8Array): SpooledNotification {
  const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (bytes.length < HEADER_BYTES) throw new Error(`spool record ${arrival} is truncated`);
  return {
    arrival,
    generatedAtMs: bytes.readDoubleBE(0),
    receivedAtMs: bytes.readDoubleBE(8),
    // A copy: LMDB may reuse the memory a read returned once the read transaction moves on.
    rawBody: Buffer.from(bytes.subarray(HEADER_BYTES)),
  };
}

/** What a record costs against SPOOL_MAX_BYTES: its key and value. */
export function spooledSize(n: SpooledNotification): number {
  return 8 + HEADER_BYTES + n.rawBody.length;
}
