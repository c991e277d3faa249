/**
 * One notification as the spool keeps it: exactly what intake verified, nothing derived. The
 * record is rebuilt from these bytes on drain by the same code that built it at arrival, so a
 * drained notification cannot differ from one committed on time.
 */
export interface SpooledNotification {
  /** The arrival number given at intake (intake-record.ts); it leads the spool key. */
  arrival: bigint;
  generatedAtMs: number;
  receivedAtMs: number;
  rawBody: Buffer;
}

/** A notification read back from the spool, with the key it is stored under. */
export interface StoredNotification extends SpooledNotification {
  key: Buffer;
}

const HEADER_BYTES = 16;
/** Bytes of the writer id that follows the arrival in a key. */
export const WRITER_BYTES = 8;

/**
 * The key space of the spool's one LMDB database, by first byte. Arrivals are microsecond-scale
 * numbers far below 2^56, so a waiting record's key always starts with 0x00; the other spaces sit
 * above it, and a range read of waiting records stops at LIVE_END.
 */
export const LIVE_END = Buffer.from([0xf0]);
export const QUARANTINE_PREFIX = 0xf1;
/** Written and removed again while writes fail, to learn when the disk takes them again. */
export const PROBE_KEY = Buffer.from([0xff, 0x70, 0x72, 0x6f, 0x62, 0x65]);

/**
 * Keys are the arrival as 8 big-endian bytes, then the writer's id: LMDB orders keys bytewise,
 * so the spool iterates in arrival order. The writer id (random per opened store) keeps two
 * records apart even if two processes ever numbered arrivals alike (the spool lock forbids
 * sharing a directory, but a put that overwrote a record would lose a note silently). Keys of an
 * earlier version are the arrival alone; they still sort, decode and drain the same way.
 */
export function spoolKey(arrival: bigint, writer: Buffer): Buffer {
  const key = Buffer.alloc(8 + writer.length);
  key.writeBigUInt64BE(arrival);
  writer.copy(key, 8);
  return key;
}

export function arrivalOfKey(key: Uint8Array): bigint {
  return Buffer.from(key.buffer, key.byteOffset, 8).readBigUInt64BE();
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
export function spooledSize(n: SpooledNotification, keyBytes = 8 + WRITER_BYTES): number {
  return keyBytes + HEADER_BYTES + n.rawBody.length;
}

/** Why a record was set aside, kept ahead of its original value. */
export interface QuarantineNote {
  quarantinedAtMs: number;
  tries: number;
  /** An error's name and code (describeError), never its message: that can quote the data. */
  reason: string;
}

/** A quarantined record's value: a 2-byte length, the note as JSON, then the original value untouched. */
export function encodeQuarantineValue(note: QuarantineNote, original: Uint8Array): Buffer {
  const json = Buffer.from(JSON.stringify(note));
  const length = Buffer.alloc(2);
  length.writeUInt16BE(json.length);
  return Buffer.concat([length, json, original]);
}

export function decodeQuarantineValue(value: Uint8Array): { note: QuarantineNote; original: Buffer } {
  const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const length = bytes.readUInt16BE(0);
  return {
    note: JSON.parse(bytes.subarray(2, 2 + length).toString('utf8')) as QuarantineNote,
    original: Buffer.from(bytes.subarray(2 + length)),
  };
}

export function quarantineKey(key: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([QUARANTINE_PREFIX]), key]);
}
