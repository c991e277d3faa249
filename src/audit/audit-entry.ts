import { ArtifactKind } from '../generated/prisma/enums';

/**
 * What the audit records. Reads of note content, every admin action and every registration
 * (service-spec §3.5); later endpoints add their action here and call AuditService.record.
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
  /** A client signed in to the operator console (/console). */
  | 'console.sign_in'
  /** A client signed out of the operator console. */
  | 'console.sign_out';

export const AUDIT_ACTIONS: readonly AuditAction[] = [
  'artifact.read',
  'audit.list',
  'session.register',
  'artifacts.list',
  'artifacts.retry',
  'console.sign_in',
  'console.sign_out',
];

/** Who asked: taken from the request by the @Actor() parameter decorator. */
export interface AuditActor {
  client: string;
  requestId: string;
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
