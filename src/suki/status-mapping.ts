import type { SessionStatus } from '../generated/prisma/enums';

const VENDOR_STATUSES: Record<string, SessionStatus> = {
  success: 'completed',
  failure: 'failed',
  timeout: 'timed_out',
  timed_out: 'timed_out',
  time_out: 'timed_out',
  session_timeout: 'timed_out',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  cancellation: 'cancelled',
  aborted: 'cancelled',
  session_cancelled: 'cancelled',
};

/**
 * The session status a notification's `status` stands for, or undefined when we do not know
 * it. Suki has not documented the timeout and cancellation values, so every spelling seen in
 * its guides is accepted, case-insensitively.
 */
export function mapVendorStatus(vendorStatus: unknown): SessionStatus | undefined {
  if (typeof vendorStatus !== 'string') return undefined;
  const key = vendorStatus.trim().toLowerCase();
  return Object.prototype.hasOwnProperty.call(VENDOR_STATUSES, key) ? VENDOR_STATUSES[key] : undefined;
}

/** Whether a vendor status is one of the spellings above (for bounded metric labels). */
export function isKnownVendorStatus(vendorStatus: string): boolean {
  return mapVendorStatus(vendorStatus) !== undefined;
}

const SUKI_SESSION_STATUSES: Record<string, SessionStatus> = {
  completed: 'completed',
  failed: 'failed',
  aborted: 'cancelled',
  skipped: 'skipped',
};

/**
 * The settled status for a value of Suki's session status endpoint, or undefined while the
 * session is still in progress (created, ready, running, paused) or the value is unknown.
 */
export function mapSukiSessionStatus(value: unknown): SessionStatus | undefined {
  if (typeof value !== 'string') return undefined;
  const key = value.trim().toLowerCase();
  return Object.prototype.hasOwnProperty.call(SUKI_SESSION_STATUSES, key) ? SUKI_SESSION_STATUSES[key] : undefined;
}
