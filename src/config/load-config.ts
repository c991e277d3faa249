import { join } from 'node:path';
import { ArtifactKind } from '../generated/prisma/enums';
import { HEAP_GROWING_PERCENT, NEW_SPACE_MAX_MIB } from '../memory';
import { MIN_TOKEN_LENGTH, parseApiClients } from './api-clients';
import { AppConfig, ConfigValidationError, SukiAuthMode, UnknownEnvironmentError } from './app-config';

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/**
 * Outside production only: the key signing secrets are sealed under when PUSH_SECRET_KEY is
 * unset. Public, so it protects nothing; production must set its own (see below).
 */
export const DEVELOPMENT_PUSH_SECRET_KEY = 'development-only-push-secret-key';
const DEFAULT_FETCH_LINKS = 'contents,encounter_content,structured_data,encounter_structured_data,transcripts';
/** Unset is development. */
export const NODE_ENVS = ['production', 'development', 'test'];

/**
 * Reads and validates the environment in one pass, collecting every problem so an operator
 * fixes them all at once instead of one restart per variable.
 */
export function loadConfig(env: Env): AppConfig {
  // First and alone: every other rule depends on it, and a typo (`prod`) would otherwise run a
  // production deployment as development, Suki API simulator and made-up notes included.
  const nodeEnv = env.NODE_ENV?.trim();
  if (nodeEnv && !NODE_ENVS.includes(nodeEnv)) throw new UnknownEnvironmentError(nodeEnv, NODE_ENVS);
  const problems: string[] = [];
  const read = new EnvReader(env, problems);
  const production = nodeEnv === 'production';

  const authMode = read.oneOf('SUKI_AUTH_MODE', ['static', 'partner'], 'static') as SukiAuthMode;
  const requestTimeoutMs = read.int('SUKI_REQUEST_TIMEOUT_MS', 15_000, 100, 600_000);
  const dataDir = read.string('DATA_DIR') ?? './.data';
  const config: AppConfig = {
    production,
    port: read.int('PORT', 3000, 0, 65535),
    databaseUrl: read.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    databasePoolSize: read.int('DATABASE_POOL_SIZE', 10, 1, 500),
    databaseQueryPoolSize: read.int('DATABASE_QUERY_POOL_SIZE', 10, 1, 500),
    databaseConnectTimeoutMs: read.int('DATABASE_CONNECT_TIMEOUT_MS', 1_000, 100, 60_000),
    dataDir,
    migrateOnStart: read.bool('MIGRATE_ON_START', true),
    intake: { commitTimeoutMs: read.int('INTAKE_COMMIT_TIMEOUT_MS', 2_000, 50, 60_000) },
    spool: {
      dir: read.string('SPOOL_DIR') ?? join(dataDir, 'spool'),
      maxBytes: read.int('SPOOL_MAX_BYTES', 1_073_741_824, 1024, Number.MAX_SAFE_INTEGER),
    },
    webhook: {
      secrets: read.list('SUKI_WEBHOOK_SECRETS'),
      toleranceMs: read.int('SUKI_WEBHOOK_TOLERANCE_MS', 300_000, 0, 86_400_000),
      maxBodyBytes: read.int('SUKI_WEBHOOK_MAX_BODY_BYTES', 1_048_576, 1024, 64 * 1_048_576),
      maxKnownSessions: read.int('SUKI_WEBHOOK_MAX_KNOWN_SESSIONS', 100, 0, 100_000),
    },
    http: {
      requestTimeoutMs: read.int('HTTP_REQUEST_TIMEOUT_MS', 30_000, 1_000, 600_000),
      headersTimeoutMs: read.int('HTTP_HEADERS_TIMEOUT_MS', 10_000, 1_000, 600_000),
      maxConnections: read.int('HTTP_MAX_CONNECTIONS', 1024, 1, 1_000_000),
      shutdownReadGraceMs: read.int('HTTP_SHUTDOWN_READ_GRACE_MS', 2_000, 0, 60_000),
    },
    suki: {
      simulate: false,
      apiBaseUrl: read.url('SUKI_API_BASE_URL', ['https:', 'http:']) ?? 'https://sdp.suki.ai',
      authMode,
      apiToken: read.string('SUKI_API_TOKEN'),
      partner: undefined,
      providerId: read.string('SUKI_PROVIDER_ID'),
      fetchLinks: read.kinds('SUKI_FETCH_LINKS', DEFAULT_FETCH_LINKS),
      requestTimeoutMs,
      // SUKI_MAX_CONCURRENCY is its former name, still honoured.
      maxConcurrency: read.int('SUKI_FETCH_MAX_CONCURRENCY', read.int('SUKI_MAX_CONCURRENCY', 64, 1, 1024), 1, 1024),
      initialConcurrency: read.int('SUKI_FETCH_INITIAL_CONCURRENCY', 32, 1, 1024),
      retryHorizonMs: read.int('SUKI_FETCH_RETRY_HORIZON_MS', 86_400_000, 0, 30 * 86_400_000),
      maxAttempts: read.optionalInt('SUKI_FETCH_MAX_ATTEMPTS', 1, 1_000_000),
    },
    retrieval: {
      enabled: read.bool('RETRIEVAL_ENABLED', true),
      pollMs: read.int('RETRIEVAL_POLL_MS', 500, 10, 60_000),
      // One attempt is at most two calls (a 401 retried once) and one login, each bounded by
      // the request timeout; a lease that outlives them needs no renewal.
      leaseMs: read.int('RETRIEVAL_LEASE_MS', Math.max(60_000, 3 * requestTimeoutMs + 5_000), 500, 3_600_000),
      backoffBaseMs: read.int('RETRIEVAL_BACKOFF_BASE_MS', 1_000, 1, 600_000),
      backoffMaxMs: read.int('RETRIEVAL_BACKOFF_MAX_MS', 300_000, 1, 86_400_000),
      breaker: {
        failureThreshold: read.int('SUKI_BREAKER_FAILURES', 5, 1, 10_000),
        probeBaseMs: read.int('SUKI_BREAKER_PROBE_BASE_MS', 1_000, 1, 3_600_000),
        // One probe for the whole cluster costs Suki nothing: a few seconds, so that its return
        // is noticed within seconds.
        probeMaxMs: read.int('SUKI_BREAKER_PROBE_MAX_MS', 5_000, 1, 3_600_000),
      },
      shutdownGraceMs: read.int('RETRIEVAL_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    },
    reconcile: {
      afterMs: read.int('RECONCILE_AFTER_MS', 300_000, 0, 86_400_000),
      horizonMs: read.int('RECONCILE_HORIZON_MS', 172_800_000, 0, 30 * 86_400_000),
      backoffBaseMs: read.int('RECONCILE_BACKOFF_BASE_MS', 60_000, 1, 86_400_000),
      backoffMaxMs: read.int('RECONCILE_BACKOFF_MAX_MS', 1_800_000, 1, 86_400_000),
    },
    apiClients: parseApiClients(read.string('INTERNAL_API_CLIENTS'), read.string('INTERNAL_API_TOKENS'), problems),
    console: {
      idleTimeoutMs: read.int('CONSOLE_IDLE_TIMEOUT_MS', 900_000, 10_000, 86_400_000),
      maxAgeMs: read.int('CONSOLE_SESSION_MAX_AGE_MS', 43_200_000, 60_000, 7 * 86_400_000),
      sessionSecret: read.string('CONSOLE_SESSION_SECRET'),
    },
    retentionDays: read.optionalInt('RETENTION_DAYS', 1, 36_500),
    eventsRetentionDays: read.int('EVENTS_RETENTION_DAYS', 30, 1, 3650),
    eventsMaxWaiters: 0,
    push: {
      enabled: read.bool('PUSH_ENABLED', true),
      allowedHosts: env.PUSH_ALLOWED_HOSTS === undefined ? (production ? [] : ['localhost', '127.0.0.1']) : read.list('PUSH_ALLOWED_HOSTS'),
      disableAfterMs: read.int('PUSH_DISABLE_AFTER_MS', 432_000_000, 1_000, 365 * 86_400_000),
      secretOverlapMs: read.int('PUSH_SECRET_OVERLAP_MS', 86_400_000, 0, 30 * 86_400_000),
      secretKey: read.string('PUSH_SECRET_KEY') ?? (production ? '' : DEVELOPMENT_PUSH_SECRET_KEY),
      // Longer than one delivery's timeout (15 s) with room for renewals: see src/push/subscription-runner.ts.
      leaseMs: read.int('PUSH_LEASE_MS', 30_000, 20_000, 600_000),
    },
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    heapGrowingPercent: read.int('V8_HEAP_GROWING_PERCENT', HEAP_GROWING_PERCENT, 0, 1000),
    newSpaceMaxMib: read.int('V8_NEW_SPACE_MAX_MIB', NEW_SPACE_MAX_MIB, 0, 1024),
    shutdownTimeoutMs: read.int('SHUTDOWN_TIMEOUT_MS', 25_000, 1_000, 600_000),
    // In production a load balancer stands in front and needs time to stop sending; elsewhere nothing does.
    shutdownDrainDelayMs: read.int('SHUTDOWN_DRAIN_DELAY_MS', production ? 5_000 : 0, 0, 600_000),
  };

  // Long-polls hold their connection for up to 30 s: they get a budget of their own within the
  // server's connection cap, and the other half stays for Suki's notifications.
  const waiterRoom = Math.max(1, Math.floor(config.http.maxConnections / 2));
  config.eventsMaxWaiters = read.int('EVENTS_MAX_WAITERS', Math.min(256, waiterRoom), 1, 1_000_000);
  if (config.eventsMaxWaiters > waiterRoom) {
    problems.push(`EVENTS_MAX_WAITERS must be at most half of HTTP_MAX_CONNECTIONS (${waiterRoom}): the rest stay for the webhook`);
  }

  config.webhook.secrets.forEach((secret, index) => {
    // Never echoed: the entry is a secret.
    if (secret.length < MIN_TOKEN_LENGTH)
      problems.push(`SUKI_WEBHOOK_SECRETS entry ${index + 1} must be at least ${MIN_TOKEN_LENGTH} characters`);
  });

  if (config.http.headersTimeoutMs > config.http.requestTimeoutMs) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)');
  }

  if (config.console.sessionSecret !== undefined && config.console.sessionSecret.length < 32) {
    problems.push('CONSOLE_SESSION_SECRET must be at least 32 characters');
  }

  if (authMode === 'partner') {
    const partnerId = read.string('SUKI_PARTNER_ID');
    const privateKeyPem = read.string('SUKI_PARTNER_PRIVATE_KEY')?.replace(/\\n/g, '\n');
    if (!partnerId) problems.push('SUKI_PARTNER_ID is required when SUKI_AUTH_MODE=partner');
    if (!privateKeyPem) problems.push('SUKI_PARTNER_PRIVATE_KEY is required when SUKI_AUTH_MODE=partner');
    else if (!privateKeyPem.includes('PRIVATE KEY')) problems.push('SUKI_PARTNER_PRIVATE_KEY must be a PEM private key');
    if (partnerId && privateKeyPem) {
      config.suki.partner = {
        partnerId,
        privateKeyPem,
        keyId: read.string('SUKI_PARTNER_KEY_ID'),
        issuer: read.string('SUKI_PARTNER_ISSUER'),
        user: read.string('SUKI_PARTNER_USER'),
      };
    }
  }

  // Nothing about Suki configured: a first run outside production uses the built-in simulator
  // (src/simulator), so a test notification's note is really fetched. Production never does.
  config.suki.simulate = !production && authMode === 'static' && !config.suki.apiToken && read.string('SUKI_API_BASE_URL') === undefined;

  if (production) {
    // Outside production these have safe development defaults (an embedded database and
    // generated secrets); in production a default would be a silent outage or a hole.
    const required: Array<[string, boolean]> = [
      ['DATABASE_URL', !config.databaseUrl],
      ['SUKI_WEBHOOK_SECRETS', config.webhook.secrets.length === 0],
      // Set but every entry malformed is reported above, entry by entry, not as missing.
      ['INTERNAL_API_CLIENTS or INTERNAL_API_TOKENS', !read.string('INTERNAL_API_CLIENTS') && !read.string('INTERNAL_API_TOKENS')],
      ['SUKI_API_TOKEN', authMode === 'static' && !config.suki.apiToken],
      // Only once subscriptions are possible at all: with no allowed host, none can be made.
      ['PUSH_SECRET_KEY (PUSH_ALLOWED_HOSTS is set)', config.push.allowedHosts.length > 0 && !config.push.secretKey],
    ];
    const missing = required.filter(([, isMissing]) => isMissing).map(([name]) => name);
    if (missing.length > 0) problems.push(`required in production but not set: ${missing.join(', ')}`);
  }

  if (problems.length > 0) throw new ConfigValidationError(problems);
  return config;
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  string(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  list(name: string): string[] {
    return (this.string(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }

  optionalInt(name: string, min: number, max: number): number | undefined {
    return this.string(name) === undefined ? undefined : this.int(name, min, min, max);
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false`);
    return fallback;
  }

  oneOf(name: string, allowed: string[], fallback: string): string {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (allowed.includes(raw)) return raw;
    this.problems.push(`${name} must be one of: ${allowed.join(', ')}`);
    return fallback;
  }

  url(name: string, protocols: string[]): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    try {
      if (protocols.includes(new URL(raw).protocol)) return raw;
    } catch {
      // reported below
    }
    this.problems.push(`${name} must be a URL (${protocols.join(' or ')})`);
    return undefined;
  }

  kinds(name: string, fallback: string): ArtifactKind[] {
    const raw = this.string(name) ?? fallback;
    const known = Object.values(ArtifactKind) as string[];
    const items = raw
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    const unknown = items.filter((item) => !known.includes(item));
    if (unknown.length > 0) this.problems.push(`${name} has unknown link kinds: ${unknown.join(', ')} (known: ${known.join(', ')})`);
    return [...new Set(items.filter((item) => known.includes(item)))] as ArtifactKind[];
  }
}
