import type { RootDatabase } from 'lmdb';
import {
  arrivalOfKey,
  decodeQuarantineValue,
  decodeSpoolValue,
  encodeQuarantineValue,
  QUARANTINE_PREFIX,
  QuarantineNote,
  quarantineKey,
  spooledSize,
  StoredNotification,
} from './spool-record';

/** One quarantined notification as an operator sees it: identifiers and why, never its content. */
export interface QuarantinedNotification {
  arrival: bigint;
  receivedAtMs: number;
  /** The body's session_id, when it has one. */
  sessionId?: string;
  bytes: number;
  note: QuarantineNote;
}

const START = Buffer.from([QUARANTINE_PREFIX]);
const END = Buffer.from([QUARANTINE_PREFIX + 1]);

/**
 * The spool's quarantine: records the database refused again and again (a trigger that raises,
 * a constraint no retry satisfies), set aside so that the drain goes on behind them. They stay
 * in the same LMDB environment under a key prefix of their own (spool-record.ts), each moved
 * there and back in one transaction: a record is in the queue or in quarantine, never in both
 * and never in neither. Retried on demand (POST /v1/spool/quarantine/retry): back to its own
 * key, which is its place in arrival order.
 */
export class SpoolQuarantine {
  private records = 0;

  constructor(
    private readonly db: () => RootDatabase<Buffer, Buffer> | undefined,
    /** The store's accounting: records waiting and bytes on disk. */
    private readonly account: (delta: { records?: number; bytes?: number }) => void,
    /** Runs a write as every spool write runs (spool-writes.ts): a disk failure is an error, not a crash. */
    private readonly guarded: (write: () => Promise<unknown>) => Promise<unknown>,
  ) {}

  get count(): number {
    return this.records;
  }

  /** Counts what an earlier run quarantined; returns the bytes it takes. */
  load(): number {
    let bytes = 0;
    for (const { key, value } of this.db()?.getRange({ start: START, end: END }) ?? []) {
      this.records += 1;
      bytes += key.length + value.length;
    }
    return bytes;
  }

  async add(n: StoredNotification, note: QuarantineNote, originalValue: Buffer): Promise<void> {
    const db = this.required();
    const key = quarantineKey(n.key);
    const value = encodeQuarantineValue(note, originalValue);
    await this.guarded(() =>
      db.transaction(() => {
        db.putSync(key, value);
        db.removeSync(n.key);
      }),
    );
    this.records += 1;
    this.account({ records: -1, bytes: key.length + value.length - spooledSize(n, n.key.length) });
  }

  list(): QuarantinedNotification[] {
    return [...(this.db()?.getRange({ start: START, end: END }) ?? [])].map(({ key, value }) => {
      const { note, original } = decodeQuarantineValue(value);
      const arrival = arrivalOfKey(key.subarray(1));
      const n = decodeSpoolValue(arrival, original);
      return { arrival, receivedAtMs: n.receivedAtMs, sessionId: sessionIdOf(n.rawBody), bytes: n.rawBody.length, note };
    });
  }

  /** Moves every quarantined record back to its own key; returns how many. */
  async restoreAll(): Promise<number> {
    const db = this.required();
    const entries = [...db.getRange({ start: START, end: END })].map(({ key, value }) => ({
      key: Buffer.from(key),
      value: Buffer.from(value),
    }));
    if (entries.length === 0) return 0;
    await this.guarded(() =>
      db.transaction(() => {
        for (const { key, value } of entries) {
          db.putSync(key.subarray(1), decodeQuarantineValue(value).original);
          db.removeSync(key);
        }
      }),
    );
    let bytes = 0;
    for (const { key, value } of entries)
      bytes += key.length - 1 + decodeQuarantineValue(value).original.length - key.length - value.length;
    this.records -= entries.length;
    this.account({ records: entries.length, bytes });
    return entries.length;
  }

  private required(): RootDatabase<Buffer, Buffer> {
    const db = this.db();
    if (!db) throw new Error('spool is closed');
    return db;
  }
}

/** An identifier for the operator; the body is the vendor's and may not be JSON at all. */
function sessionIdOf(rawBody: Buffer): string | undefined {
  try {
    const id = (JSON.parse(rawBody.toString('utf8')) as { session_id?: unknown }).session_id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
