import { ArtifactKind } from '../generated/prisma/enums';
import { ApiClient } from './api-clients';

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
  /**
   * Opening a connection the boot or a background loop makes (the migrator, the change feed's
   * LISTEN) gives up after this, so that a database that hangs never holds the service up.
   */
  databaseConnectTimeoutMs: number;
  dataDir: string;
  migrateOnStart: boolean;
  /**
   * Set by the runtime, not the environment: the database was unreachable at boot, so the
   * application applies migrations itself once it answers (src/database/database-startup.ts).
   */
  migrateWhenReachable?: boolean;
  /** Intake's answer to a database that is away (src/spool): the answers table in docs/api.md. */
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
    /** How many sessions of one notification's `sessions` array are made known; the rest are counted. */
    maxKnownSessions: number;
  };
  /** Limits of the HTTP server itself, so that no client can hold it (src/server-limits.ts). */
  http: {
    /** The whole request, headers and body, must arrive within this. */
    requestTimeoutMs: number;
    /** The headers must arrive within this (at most requestTimeoutMs). */
    headersTimeoutMs: number;
    /** Open connections at most; more are refused by the server. */
    maxConnections: number;
    /** At shutdown, how long a request still arriving may take to finish arriving before its connection is closed. */
    shutdownReadGraceMs: number;
  };
  suki: {
    /**
     * No Suki API configured at all (outside production, no SUKI_API_BASE_URL, static mode, no
     * SUKI_API_TOKEN): the runtime serves the built-in simulator and points apiBaseUrl at it.
     */
    simulate: boolean;
    apiBaseUrl: string;
    authMode: SukiAuthMode;
    apiToken?: string;
    partner?: PartnerAuthConfig;
    providerId?: string;
    fetchLinks: ArtifactKind[];
    requestTimeoutMs: number;
    /** The most calls to Suki one process makes at once; the adaptive limit stays at or under it. */
    maxConcurrency: number;
    /** Where the adaptive limit starts (capped at maxConcurrency). */
    initialConcurrency: number;
    /** How long transient failures are retried, from an artifact's first attempt, before it is failed. */
    retryHorizonMs: number;
    /**
     * The old attempt limit (SUKI_FETCH_MAX_ATTEMPTS), honoured only when set: an artifact then
     * also fails after that many attempts, even within the horizon. Unset by default.
     */
    maxAttempts?: number;
  };
  /** The background retrieval of artifacts from Suki (src/retrieval). */
  retrieval: {
    enabled: boolean;
    pollMs: number;
    /** How long a claimed artifact stays reserved for its worker: longer than one attempt can take. */
    leaseMs: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    /** Backing off Suki as a whole, one breaker for every replica (suki-breaker.ts). */
    breaker: {
      /** Consecutive transient failures that open the breaker. */
      failureThreshold: number;
      /** Wait before the first probe once open; doubles with every failed probe, up to probeMaxMs. */
      probeBaseMs: number;
      probeMaxMs: number;
    };
    /** On shutdown, how long in-flight fetches may finish before their leases are handed back. */
    shutdownGraceMs: number;
  };
  /** Missed-notification recovery (src/retrieval/reconcile-schedule.ts, docs/architecture.md). */
  reconcile: {
    /** A known session with no outcome is first polled this long after it became known (or after its endedAt). */
    afterMs: number;
    /** Polling stops this long after the first poll; a session still unknown then is flagged. */
    horizonMs: number;
    /** The wait after the first poll; it doubles with each poll, up to backoffMaxMs. */
    backoffBaseMs: number;
    backoffMaxMs: number;
  };
  /**
   * The clients of /v1 with their scopes: INTERNAL_API_CLIENTS and INTERNAL_API_TOKENS together.
   * Empty outside production until the runtime adds the development client.
   */
  apiClients: ApiClient[];
  /** The operator console under /console (src/console). */
  console: {
    /** A console sign-in ends after this long without a page the operator asked for. */
    idleTimeoutMs: number;
    /** …and after this long whatever the activity: a stolen cookie is not good forever. */
    maxAgeMs: number;
    /**
     * Signs the console's session cookies. Unset: a random key per process, so sign-ins end at a
     * restart and hold on one replica only; set it (the same on every replica) to share them.
     */
    sessionSecret?: string;
  };
  /** Note content and raw notification bodies older than this many days are purged; unset keeps them. */
  retentionDays?: number;
  /** How long the change feed (GET /v1/events) keeps its events, and push subscriptions their attempts. */
  eventsRetentionDays: number;
  /**
   * Long-polls of the change feed (waitSeconds > 0) waiting at once; more are answered 429. At
   * most half of http.maxConnections, so that the webhook always finds a connection.
   */
  eventsMaxWaiters: number;
  /** Push subscriptions (src/push). */
  push: {
    /** This replica dispatches subscriptions (any replica may; one at a time per subscription, under a lease). */
    enabled: boolean;
    /** Host names, IP literals or `*.suffix` that subscriptions may target. */
    allowedHosts: string[];
    /** A subscription failing this long is disabled. */
    disableAfterMs: number;
    /** How long a rotated-out secret keeps signing. */
    secretOverlapMs: number;
    /** Key material the signing secrets are sealed under (secret-box.ts). */
    secretKey: string;
    /** A dead replica's subscriptions are taken over within this. */
    leaseMs: number;
  };
  logLevel: string;
  /** V8's --heap-growing-percent, set at boot by src/memory.ts; 0 leaves V8's default. */
  heapGrowingPercent: number;
  /** The young generation's cap in MiB, kept by src/memory.ts; 0 leaves V8's default. */
  newSpaceMaxMib: number;
  /** Hard limit on a graceful shutdown's drain; past it the process exits non-zero. */
  shutdownTimeoutMs: number;
  /** On SIGTERM, how long the listener keeps serving with readiness 503 before the drain starts. */
  shutdownDrainDelayMs: number;
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/** NODE_ENV is none of the known environments: the service refuses to start, in one line. */
export class UnknownEnvironmentError extends Error {
  constructor(value: string, allowed: readonly string[]) {
    // The value is echoed (it is no secret), shortened and in JSON so that it stays one line.
    super(`NODE_ENV=${JSON.stringify(value.slice(0, 40))} is not one of ${allowed.join(', ')} (or unset): refusing to start`);
    this.name = 'UnknownEnvironmentError';
  }
}
