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
  dataDir: string;
  migrateOnStart: boolean;
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
  internalApiTokens: string[];
  logLevel: string;
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}
