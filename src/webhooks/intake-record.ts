import { ArtifactKind, SessionStatus } from '../generated/prisma/enums';

/** A verified request, before its body is read. */
export interface SignedDelivery {
  rawBody: Buffer;
  generatedAtMs: number;
  receivedAt: Date;
}

/**
 * Arrival order across the service: received milliseconds × 1000 plus a counter, strictly
 * increasing within a process. It breaks ties on generated-at whatever order batches commit in.
 */
let lastArrival = 0n;
export function nextArrival(receivedAtMs: number): bigint {
  const candidate = BigInt(receivedAtMs) * 1000n;
  lastArrival = candidate > lastArrival ? candidate : lastArrival + 1n;
  return lastArrival;
}

/**
 * Makes every later arrival number greater than `floor`. The spool calls it at boot with the
 * last arrival it holds: a restarted process (its clock perhaps behind the one that spooled)
 * must neither reuse a spooled key nor slip new notifications in before spooled ones.
 */
export function raiseArrivalFloor(floor: bigint): void {
  if (floor > lastArrival) lastArrival = floor;
}

/** Retrieval work a notification asks for. */
export interface ArtifactRequest {
  kind: ArtifactKind;
  /** The session id for session-level kinds, the encounter id for encounter-level ones. */
  ownerId: string;
  sessionId: string | null;
  href: string;
  /** Set when the href may not be called; the artifact is then recorded as failed. */
  refusal?: string;
}

/** Everything one notification writes, decided before the database is touched. */
export interface IntakeRecord {
  delivery: SignedDelivery;
  /** Set by IntakeService when the record joins the queue (see nextArrival). */
  arrival?: bigint;
  /** The webhook request's id, for the audit record of a move; unknown for a notification drained from the spool. */
  requestId?: string;
  sessionId?: string;
  encounterId?: string;
  vendorStatus?: string;
  /** Set for an authentic body that cannot be attributed; it is stored and answered 400. */
  rejectReason?: string;
  /** Undefined for a status we do not recognise: the session is then only made known. */
  sessionStatus?: SessionStatus;
  errorCode?: string;
  errorDetail?: string;
  additionalInfo?: unknown;
  links?: Record<string, unknown>;
  knownSessions: string[];
  artifacts: ArtifactRequest[];
}
