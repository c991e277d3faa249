import { createHash } from 'node:crypto';

/**
 * Ids, times and offsets the simulator derives from a resource id, so that its answers are the
 * same every time for that id and still look like Suki's (ULIDs, UUIDs, nanosecond times).
 */

/** A duration as Suki's transcript offsets carry it. */
export interface Offset {
  hours: number;
  minutes: number;
  seconds: number;
  nanos: number;
}

export function digest(id: string, purpose: string): Buffer {
  return createHash('sha256').update(`${purpose}\0${id}`).digest();
}

/** A weekday afternoon in 2025, fixed by the id. */
export function visitStart(id: string): number {
  const day = digest(id, 'visit').readUInt16BE(0) % 365;
  const minute = digest(id, 'visit').readUInt16BE(2) % 240;
  return Date.UTC(2025, 0, 1, 13, 0) + day * 86_400_000 + minute * 60_000;
}

export function offset(ms: number): Offset {
  return {
    hours: Math.floor(ms / 3_600_000),
    minutes: Math.floor(ms / 60_000) % 60,
    seconds: Math.floor(ms / 1000) % 60,
    nanos: (ms % 1000) * 1e6,
  };
}

/** RFC 3339 with nanoseconds, as Suki's transcripts carry them. */
export function nanoTimestamp(ms: number, salt: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${String(948_332 + salt * 111).padStart(6, '0')}Z`;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID (Suki's transcript ids are ULIDs): 48 bits of time, 80 of randomness from the digest. */
export function ulidFrom(ms: number, bytes: Buffer): string {
  let time = '';
  for (let rest = ms, i = 0; i < 10; i += 1, rest = Math.floor(rest / 32)) time = CROCKFORD[rest % 32] + time;
  let random = '';
  for (let i = 0; i < 16; i += 1) random += CROCKFORD[bytes[i] % 32];
  return time + random;
}

/** A version-4-shaped UUID from digest bytes. */
export function uuidFrom(bytes: Buffer): string {
  const hex = Buffer.from(bytes.subarray(0, 16));
  hex[6] = (hex[6] & 0x0f) | 0x40;
  hex[8] = (hex[8] & 0x3f) | 0x80;
  const h = hex.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
