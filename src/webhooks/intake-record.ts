import { ArtifactKind, SessionStatus } from '../generated/prisma/enums';

/** A verified request, before its body is read. */
export interface SignedDelivery {
  rawBody: Buffer;
  generatedAtMs: number;
  receivedAt: Date;
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
