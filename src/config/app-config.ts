import { ArtifactKind } from '../generated/prisma/enums';

export type SukiAuthMode = 'static' | 'partner';

export interface PartnerAuthConfig {
  partnerId: string;
  privateKeyPem: string;
  keyId?: string;
  issuer?: string;
  user?: string;
}

/**
 * The whole environment, validated once at boot. Nothing else reads process.env.
 * A class only so that it can serve as its own injection token.
 */
export abstract class AppConfig {
  production: boolean;
  port: number;
  /** Unset until the runtime resolves it (an embedded database outside production). */
  databaseUrl?: string;
  databasePoolSize: number;
  /** Connections of the read-only pool the query API uses, apart from intake's. */
  databaseQueryPoolSize: number;
  dataDir: string;
  migrateOnStart: boolean;
  /**
   * Set by the runtime, not the environment: the database was unreachable at boot, so the
   * application applies migrations itself once it answers (src/database/database-startup.ts).
   */
  migrateWhenReachable?: boolean;
  /** Intake's answer to a database that is away (src/spool): see service-spec §1.1. */
  intake: {
    /** A notification not committed within this is written to the spool instead. */
    commitTimeoutMs: number;
  };
  spool: {
    dir: string;
    /** Past this many bytes of spooled notifications the spool refuses (503). */
    maxBytes: number;
  };
  webhook: {
    /** Unset outside production until the runtime generates a development secret. */
    secrets: string[];
    toleranceMs: number;
    maxBodyBytes: number;
  };
  suki: {
    apiBaseUrl: string;
    authMode: SukiAuthMode;
    apiToken?: string;
    partner?: PartnerAuthConfig;
    providerId?: string;
    fetchLinks: ArtifactKind[];
    requestTimeoutMs: number;
    maxConcurrency: number;
    maxAttempts: number;
  };
  /** The background retrieval of artifacts from Suki (src/retrieval). */
  retrieval: {
    enabled: boolean;
    pollMs: number;
    /** How long a claimed artifact stays reserved for its worker: longer than one attempt can take. */
    leaseMs: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    /** On shutdown, how long in-flight fetches may finish before their leases are handed back. */
    shutdownGraceMs: number;
  };
  internalApiTokens: string[];
  logLevel: string;
  /** Hard limit on a graceful shutdown; past it the process exits non-zero. */
  shutdownTimeoutMs: number;
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}
