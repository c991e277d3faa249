import { ArtifactKind } from '../generated/prisma/enums';

/**
 * What the audit records. Reads of note content, every admin action and every registration
 * (docs/api.md); later endpoints add their action here and call AuditService.record.
 */
export type AuditAction =
  /** Artifact `data` served (GET …/artifacts/{kind}). */
  | 'artifact.read'
  /** The audit itself listed (GET /v1/audit). */
  | 'audit.list'
  /** An expected session registered (PUT /v1/sessions/{id}). */
  | 'session.register'
  /** Dead letters listed (GET /v1/artifacts). */
  | 'artifacts.list'
  /** Artifacts reset for a retry (POST /v1/artifacts/retry). */
  | 'artifacts.retry'
  /**
   * A session moved to the encounter its own notification names (client `suki`); written by the
   * database in the move's transaction (encounter_binding migration), never by AuditService.
   */
  | 'encounter_changed';

export const AUDIT_ACTIONS: readonly AuditAction[] = [
  'artifact.read',
  'audit.list',
  'session.register',
  'artifacts.list',
  'artifacts.retry',
  'encounter_changed',
];

/** Who asked: taken from the request by the @Actor() parameter decorator. */
export interface AuditActor {
  client: string;
  /** The service's own id for the request (its X-Request-Id answer and its log lines' reqId). */
  requestId: string;
  /** The X-Request-Id the caller sent, if it was a sane token: kept, never trusted as the request's id. */
  callerRequestId?: string;
  remoteAddress: string | undefined;
}

/** What was done, to what. */
export interface AuditSubject {
  action: AuditAction;
  sessionId?: string;
  encounterId?: string;
  kind?: ArtifactKind;
}

export type AuditEntry = AuditActor & AuditSubject;
