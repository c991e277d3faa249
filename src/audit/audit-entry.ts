import type { AuditActor } from '../api/actor';
import type { Prisma } from '../generated/prisma/client';
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
  | 'encounter_changed'
  /** Push subscriptions (/v1/subscriptions): made, changed (pause, resume, anything else), deleted, secret rotated, replayed. */
  | 'subscription.created'
  | 'subscription.updated'
  | 'subscription.deleted'
  | 'subscription.secret_rotated'
  | 'subscription.replayed'
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
  'encounter_changed',
  'subscription.created',
  'subscription.updated',
  'subscription.deleted',
  'subscription.secret_rotated',
  'subscription.replayed',
  'console.sign_in',
  'console.sign_out',
];

/** What was done, to what. */
export interface AuditSubject {
  action: AuditAction;
  sessionId?: string;
  encounterId?: string;
  kind?: ArtifactKind;
  subscriptionId?: string;
}

export type AuditEntry = AuditActor & AuditSubject;

/** What one record of a change names (AuditService.recordChange); null or undefined names nothing. */
export interface AuditTarget {
  sessionId?: string | null;
  encounterId?: string | null;
  kind?: ArtifactKind | null;
}

/** A transaction of the main pool, in which a change and its audit are committed together. */
export type AuditTransaction = Prisma.TransactionClient;
