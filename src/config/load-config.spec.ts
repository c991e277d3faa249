import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from './api-clients';
import { ConfigValidationError, UnknownEnvironmentError } from './app-config';
import { loadConfig } from './load-config';

type Env = Record<string, string | undefined>;

/** The problems loadConfig reports for `env`, or [] when it accepts it. */
function problemsOf(env: Env): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
}

const PEM = '-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg\\n-----END PRIVATE KEY-----';
const PRODUCTION: Env = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgresql://svc:pw@db.internal:5432/suki',
  SUKI_WEBHOOK_SECRETS: 'whsec-1-0123456789ab',
  INTERNAL_API_TOKENS: 'tok-1-0123456789abc',
  SUKI_API_TOKEN: 'suki-token',
};

describe('loadConfig', () => {
  it('fills every default from an empty environment outside production', () => {
    expect(loadConfig({})).toMatchObject({
      production: false,
      port: 3000,
      databaseUrl: undefined,
      databasePoolSize: 10,
      dataDir: './.data',
      migrateOnStart: true,
      intake: { commitTimeoutMs: 2_000 },
      spool: { dir: join('./.data', 'spool'), maxBytes: 1_073_741_824 },
      webhook: { secrets: [], toleranceMs: 300_000, maxBodyBytes: 1_048_576, maxKnownSessions: 100 },
      http: { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, maxConnections: 1024, shutdownReadGraceMs: 2_000 },
      suki: {
        apiBaseUrl: 'https://sdp.suki.ai',
        authMode: 'static',
        apiToken: undefined,
        partner: undefined,
        providerId: undefined,
        // status is left out by default: the session status arrives in the notification itself.
        fetchLinks: ['contents', 'encounter_content', 'structured_data', 'encounter_structured_data', 'transcripts'],
        requestTimeoutMs: 15_000,
        maxConcurrency: 64,
        initialConcurrency: 32,
        // Retries are bounded in time: a day, and no attempt limit unless one is set.
        retryHorizonMs: 86_400_000,
        maxAttempts: undefined,
      },
      apiClients: [],
      retentionDays: undefined,
      eventsRetentionDays: 30,
      logLevel: 'info',
    });
  });

  it('retries for a day with backoff up to 5 min, and backs off Suki after 5 failures in a row, probing up to every 5 s', () => {
    expect(loadConfig({}).retrieval).toMatchObject({
      backoffBaseMs: 1_000,
      backoffMaxMs: 300_000,
      breaker: { failureThreshold: 5, probeBaseMs: 1_000, probeMaxMs: 5_000 },
    });
  });

  it('keeps serving 5 s after SIGTERM in production (a load balancer needs to notice), at once elsewhere; connects within 1 s', () => {
    expect(loadConfig(PRODUCTION)).toMatchObject({
      shutdownDrainDelayMs: 5_000,
      shutdownTimeoutMs: 25_000,
      databaseConnectTimeoutMs: 1_000,
    });
    expect(loadConfig({}).shutdownDrainDelayMs).toBe(0);
    expect(loadConfig({ ...PRODUCTION, SHUTDOWN_DRAIN_DELAY_MS: '0', DATABASE_CONNECT_TIMEOUT_MS: '3000' })).toMatchObject({
      shutdownDrainDelayMs: 0,
      databaseConnectTimeoutMs: 3_000,
    });
  });

  it('keeps accepting the old attempt limit, as an extra bound within the horizon', () => {
    const { suki } = loadConfig({ SUKI_FETCH_MAX_ATTEMPTS: '20', SUKI_FETCH_RETRY_HORIZON_MS: '3600000' });
    expect([suki.maxAttempts, suki.retryHorizonMs]).toEqual([20, 3_600_000]);
  });

  it.each<[string, Env, object]>([
    [
      'trims values and drops empty list items',
      { SUKI_WEBHOOK_SECRETS: ' secret-1-0123456789 , secret-2-0123456789,, ', INTERNAL_API_TOKENS: 'token-1-0123456789,' },
      {
        webhook: expect.objectContaining({ secrets: ['secret-1-0123456789', 'secret-2-0123456789'] }),
        apiClients: [{ name: 'token-1', scopes: ['read', 'content'], tokenSha256: sha256('token-1-0123456789') }],
      },
    ],
    ['treats a blank variable as unset', { PORT: '  ', DATABASE_URL: '' }, { port: 3000, databaseUrl: undefined }],
    ['accepts whole numbers at both bounds', { PORT: '0', DATABASE_POOL_SIZE: '500' }, { port: 0, databasePoolSize: 500 }],
    ['reads how long the change feed keeps events', { EVENTS_RETENTION_DAYS: '7' }, { eventsRetentionDays: 7 }],
    ['lets 256 long-polls wait by default', {}, { eventsMaxWaiters: 256 }],
    ['keeps half the connections from long-polls by default', { HTTP_MAX_CONNECTIONS: '100' }, { eventsMaxWaiters: 50 }],
    ['reads EVENTS_MAX_WAITERS', { EVENTS_MAX_WAITERS: '512' }, { eventsMaxWaiters: 512 }],
    [
      'puts the spool under DATA_DIR unless SPOOL_DIR says otherwise',
      { DATA_DIR: '/var/lib/suki', SPOOL_MAX_BYTES: '2048', INTAKE_COMMIT_TIMEOUT_MS: '500' },
      { spool: { dir: '/var/lib/suki/spool', maxBytes: 2048 }, intake: { commitTimeoutMs: 500 } },
    ],
    ['takes SPOOL_DIR as given', { DATA_DIR: '/d', SPOOL_DIR: '/mnt/spool' }, { spool: expect.objectContaining({ dir: '/mnt/spool' }) }],
    ['reads yes/1/true and no/0/false in any case', { MIGRATE_ON_START: 'NO' }, { migrateOnStart: false }],
    [
      'reads enumerations in any case',
      { LOG_LEVEL: 'DEBUG', SUKI_AUTH_MODE: 'Static' },
      { logLevel: 'debug', suki: expect.objectContaining({ authMode: 'static' }) },
    ],
    ['accepts postgres: and postgresql: URLs', { DATABASE_URL: 'postgres://u@h/db' }, { databaseUrl: 'postgres://u@h/db' }],
    [
      'takes the Suki base URL as given',
      { SUKI_API_BASE_URL: 'http://127.0.0.1:8080/suki' },
      { suki: expect.objectContaining({ apiBaseUrl: 'http://127.0.0.1:8080/suki' }) },
    ],
  ])('%s', (_name, env, expected) => {
    expect(loadConfig(env)).toMatchObject(expected);
  });

  it.each<[string, Env, boolean]>([
    ['nothing about Suki, outside production', {}, true],
    ['SUKI_API_BASE_URL set', { SUKI_API_BASE_URL: 'https://sdp.suki-stage.com' }, false],
    ['a malformed SUKI_API_BASE_URL (reported, not replaced by the simulator)', { SUKI_API_BASE_URL: 'nope' }, false],
    ['SUKI_API_TOKEN set', { SUKI_API_TOKEN: 'tok' }, false],
    ['production without SUKI_API_TOKEN (refused at boot)', { ...PRODUCTION, SUKI_API_TOKEN: undefined }, false],
  ])('uses the Suki API simulator with %s: %s', (_name, env, simulate) => {
    let config;
    try {
      config = loadConfig(env);
    } catch {
      // Malformed or incomplete: no configuration at all, so no simulator either.
      expect(simulate).toBe(false);
      return;
    }
    expect(config.suki.simulate).toBe(simulate);
  });

  it.each(['production', 'development', 'test', '', undefined])('accepts NODE_ENV=%j', (nodeEnv) => {
    expect(loadConfig({ ...PRODUCTION, NODE_ENV: nodeEnv }).production).toBe(nodeEnv === 'production');
  });

  it.each(['prod', 'Production', 'staging', 'dev', 'production '.repeat(10)])(
    'refuses to start with NODE_ENV=%j, in one line',
    (nodeEnv) => {
      // Everything production needs is set: the one reason to refuse is the environment's name.
      expect(() => loadConfig({ ...PRODUCTION, NODE_ENV: nodeEnv })).toThrow(UnknownEnvironmentError);
      expect(() => loadConfig({ ...PRODUCTION, NODE_ENV: nodeEnv })).toThrow(
        /^NODE_ENV="[^"\n]*" is not one of production, development, test \(or unset\): refusing to start$/,
      );
    },
  );

  it('never uses the simulator in partner mode', () => {
    const config = loadConfig({ SUKI_AUTH_MODE: 'partner', SUKI_PARTNER_ID: 'p', SUKI_PARTNER_PRIVATE_KEY: PEM });
    expect(config.suki.simulate).toBe(false);
  });

  it.each<[string, string, string]>([
    ['PORT', '80a', 'PORT must be a whole number from 0 to 65535'],
    ['PORT', '65536', 'PORT must be a whole number from 0 to 65535'],
    ['PORT', '-1', 'PORT must be a whole number from 0 to 65535'],
    ['EVENTS_RETENTION_DAYS', '0', 'EVENTS_RETENTION_DAYS must be a whole number from 1 to 3650'],
    ['DATABASE_POOL_SIZE', '0', 'DATABASE_POOL_SIZE must be a whole number from 1 to 500'],
    ['SUKI_WEBHOOK_TOLERANCE_MS', '1.5', 'SUKI_WEBHOOK_TOLERANCE_MS must be a whole number from 0 to 86400000'],
    ['SUKI_WEBHOOK_MAX_BODY_BYTES', '1000', 'SUKI_WEBHOOK_MAX_BODY_BYTES must be a whole number from 1024 to 67108864'],
    ['SUKI_REQUEST_TIMEOUT_MS', '1e4', 'SUKI_REQUEST_TIMEOUT_MS must be a whole number from 100 to 600000'],
    ['SUKI_MAX_CONCURRENCY', '1025', 'SUKI_MAX_CONCURRENCY must be a whole number from 1 to 1024'],
    ['SUKI_FETCH_MAX_CONCURRENCY', '0', 'SUKI_FETCH_MAX_CONCURRENCY must be a whole number from 1 to 1024'],
    ['SUKI_FETCH_MAX_ATTEMPTS', '0', 'SUKI_FETCH_MAX_ATTEMPTS must be a whole number from 1 to 1000000'],
    ['SUKI_FETCH_RETRY_HORIZON_MS', '-1', 'SUKI_FETCH_RETRY_HORIZON_MS must be a whole number from 0 to 2592000000'],
    ['SUKI_BREAKER_FAILURES', '0', 'SUKI_BREAKER_FAILURES must be a whole number from 1 to 10000'],
    ['MIGRATE_ON_START', 'maybe', 'MIGRATE_ON_START must be true or false'],
    ['LOG_LEVEL', 'verbose', 'LOG_LEVEL must be one of: fatal, error, warn, info, debug, trace, silent'],
    ['SUKI_AUTH_MODE', 'oauth', 'SUKI_AUTH_MODE must be one of: static, partner'],
    ['DATABASE_URL', 'mysql://u@h/db', 'DATABASE_URL must be a URL (postgres: or postgresql:)'],
    ['DATABASE_URL', 'not a url', 'DATABASE_URL must be a URL (postgres: or postgresql:)'],
    ['SUKI_API_BASE_URL', 'ftp://sdp.suki.ai', 'SUKI_API_BASE_URL must be a URL (https: or http:)'],
    ['CONSOLE_SESSION_SECRET', 'too-short', 'CONSOLE_SESSION_SECRET must be at least 32 characters'],
  ])('reports %s=%j as malformed', (name, value, problem) => {
    expect(problemsOf({ [name]: value })).toEqual([problem]);
  });

  // Every variable load-config.ts reads with a validating reader, found in its source so that a
  // variable added later is covered without anyone remembering to list it here.
  const MALFORMED: Record<string, string> = { int: 'ten', bool: 'maybe', oneOf: 'no-such-choice', url: 'not a url', kinds: 'no_such_kind' };
  const source = readFileSync(join(__dirname, 'load-config.ts'), 'utf8');
  const validated = [...source.matchAll(/read\.(int|bool|oneOf|url|kinds)\('([A-Z0-9_]+)'/g)].map(([, reader, name]) => ({
    name,
    value: MALFORMED[reader],
  }));

  it('finds the validated variables in load-config.ts', () => {
    expect(validated.length).toBeGreaterThanOrEqual(15);
  });

  it.each(validated)('names $name when it is malformed', ({ name, value }) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0].startsWith(`${name} `)).toBe(true);
  });

  it('reports every malformed variable in one error, none of their values', () => {
    const env = Object.fromEntries(validated.map(({ name, value }) => [name, value]));
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const { problems, message } = error as ConfigValidationError;
    expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual(validated.map(({ name }) => name).sort());
    expect(message).toBe(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    expect(message).not.toContain('not a url');
  });

  it('refuses a headers timeout longer than the request timeout it is part of', () => {
    expect(problemsOf({ HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '6000' })).toEqual([
      'HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)',
    ]);
    expect(loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '5000' }).http).toMatchObject({ requestTimeoutMs: 5000 });
  });

  describe('SUKI_FETCH_LINKS', () => {
    it.each<[string, string[]]>([
      ['contents', ['contents']],
      [' transcripts , status ,', ['transcripts', 'status']],
      ['contents,contents,structured_data', ['contents', 'structured_data']],
      ['encounter_content,encounter_structured_data', ['encounter_content', 'encounter_structured_data']],
    ])('reads %j', (value, kinds) => {
      expect(loadConfig({ SUKI_FETCH_LINKS: value }).suki.fetchLinks).toEqual(kinds);
    });

    it('refuses unknown kinds, naming each and the known ones', () => {
      expect(problemsOf({ SUKI_FETCH_LINKS: 'contents,audio,notes' })).toEqual([
        'SUKI_FETCH_LINKS has unknown link kinds: audio, notes (known: contents, encounter_content, structured_data, encounter_structured_data, transcripts, status)',
      ]);
    });
  });

  describe('partner mode', () => {
    const PARTNER: Env = { SUKI_AUTH_MODE: 'partner', SUKI_PARTNER_ID: 'acme', SUKI_PARTNER_PRIVATE_KEY: PEM };

    it("reads the partner identity, with the key's escaped newlines restored", () => {
      const { suki } = loadConfig({ ...PARTNER, SUKI_PARTNER_KEY_ID: 'k1', SUKI_PARTNER_ISSUER: 'iss', SUKI_PARTNER_USER: 'u@acme' });
      expect(suki.partner).toEqual({
        partnerId: 'acme',
        privateKeyPem: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----',
        keyId: 'k1',
        issuer: 'iss',
        user: 'u@acme',
      });
    });

    it.each<[string, Env, string[]]>([
      [
        'no partner id or key',
        { SUKI_AUTH_MODE: 'partner' },
        ['SUKI_PARTNER_ID is required when SUKI_AUTH_MODE=partner', 'SUKI_PARTNER_PRIVATE_KEY is required when SUKI_AUTH_MODE=partner'],
      ],
      ['no partner id', { ...PARTNER, SUKI_PARTNER_ID: undefined }, ['SUKI_PARTNER_ID is required when SUKI_AUTH_MODE=partner']],
      [
        'a key that is not a PEM private key',
        { ...PARTNER, SUKI_PARTNER_PRIVATE_KEY: 'hunter2-secret' },
        ['SUKI_PARTNER_PRIVATE_KEY must be a PEM private key'],
      ],
    ])('refuses %s', (_name, env, problems) => {
      expect(problemsOf(env)).toEqual(problems);
    });

    it('ignores partner variables in static mode', () => {
      expect(loadConfig({ SUKI_PARTNER_ID: 'acme' }).suki.partner).toBeUndefined();
    });

    it('needs no SUKI_API_TOKEN in production', () => {
      const config = loadConfig({ ...PRODUCTION, ...PARTNER, SUKI_API_TOKEN: undefined });
      expect(config.suki.authMode).toBe('partner');
      expect(config.production).toBe(true);
    });
  });

  describe.each<[string, Env]>([
    ['outside production', {}],
    ['in production', PRODUCTION],
  ])('secrets %s', (_mode, base) => {
    it.each<[string, Env, string[]]>([
      ['a 2-character token', { INTERNAL_API_TOKENS: 'ab' }, ['INTERNAL_API_TOKENS entry 1 must be at least 16 characters']],
      [
        'a short second token',
        { INTERNAL_API_TOKENS: 'token-0123456789ab,short' },
        ['INTERNAL_API_TOKENS entry 2 must be at least 16 characters'],
      ],
      [
        'a short client token',
        { INTERNAL_API_CLIENTS: 'ehr:read:ab' },
        ['INTERNAL_API_CLIENTS entry 1 (ehr): the token must be at least 16 characters'],
      ],
      [
        'a digest that is not a full one',
        { INTERNAL_API_CLIENTS: 'ehr:read:sha256:ab' },
        ['INTERNAL_API_CLIENTS entry 1 (ehr): a sha256: token must be 64 hexadecimal digits'],
      ],
      [
        'a short webhook secret',
        { SUKI_WEBHOOK_SECRETS: 'whsec-0123456789,s' },
        ['SUKI_WEBHOOK_SECRETS entry 2 must be at least 16 characters'],
      ],
    ])('refuses %s, naming it without echoing it', (_case, env, problems) => {
      expect(problemsOf({ ...base, ...env })).toEqual(problems);
    });

    it('accepts 16 characters, and a full digest', () => {
      const digest = sha256('x').toString('hex');
      const env = {
        INTERNAL_API_TOKENS: 'a'.repeat(16),
        INTERNAL_API_CLIENTS: `ehr:read:sha256:${digest}`,
        SUKI_WEBHOOK_SECRETS: 'b'.repeat(16),
      };
      expect(problemsOf({ ...base, ...env })).toEqual([]);
    });
  });

  it('refuses more long-polls than half the connections', () => {
    expect(problemsOf({ HTTP_MAX_CONNECTIONS: '100', EVENTS_MAX_WAITERS: '51' })).toEqual([
      'EVENTS_MAX_WAITERS must be at most half of HTTP_MAX_CONNECTIONS (50): the rest stay for the webhook',
    ]);
  });

  describe('in production', () => {
    it('accepts the real values', () => {
      expect(loadConfig(PRODUCTION)).toMatchObject({
        production: true,
        databaseUrl: PRODUCTION.DATABASE_URL,
        webhook: expect.objectContaining({ secrets: ['whsec-1-0123456789ab'] }),
        apiClients: [{ name: 'token-1', scopes: ['read', 'content'], tokenSha256: sha256('tok-1-0123456789abc') }],
        suki: expect.objectContaining({ apiToken: 'suki-token' }),
      });
    });

    it('refuses to start without them, listing every missing variable in one problem', () => {
      expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
        'required in production but not set: DATABASE_URL, SUKI_WEBHOOK_SECRETS, INTERNAL_API_CLIENTS or INTERNAL_API_TOKENS, SUKI_API_TOKEN',
      ]);
    });

    it.each(['DATABASE_URL', 'SUKI_WEBHOOK_SECRETS', 'SUKI_API_TOKEN'])('refuses a missing %s', (name) => {
      expect(problemsOf({ ...PRODUCTION, [name]: undefined })).toEqual([`required in production but not set: ${name}`]);
    });

    it('needs INTERNAL_API_CLIENTS or INTERNAL_API_TOKENS, and takes either alone', () => {
      expect(problemsOf({ ...PRODUCTION, INTERNAL_API_TOKENS: undefined })).toEqual([
        'required in production but not set: INTERNAL_API_CLIENTS or INTERNAL_API_TOKENS',
      ]);
      const clientsOnly = { ...PRODUCTION, INTERNAL_API_TOKENS: undefined, INTERNAL_API_CLIENTS: 'ehr:read:ehr-token-0123456789' };
      expect(loadConfig(clientsOnly).apiClients.map((client) => client.name)).toEqual(['ehr']);
    });

    it('reports missing and malformed variables together', () => {
      expect(problemsOf({ NODE_ENV: 'production', PORT: 'http', DATABASE_URL: 'mysql://u@h/db', SUKI_WEBHOOK_SECRETS: ' , ' })).toEqual([
        'PORT must be a whole number from 0 to 65535',
        'DATABASE_URL must be a URL (postgres: or postgresql:)',
        'required in production but not set: DATABASE_URL, SUKI_WEBHOOK_SECRETS, INTERNAL_API_CLIENTS or INTERNAL_API_TOKENS, SUKI_API_TOKEN',
      ]);
    });
  });

  describe('push subscriptions', () => {
    it('allow localhost outside production and no host in production, with the documented defaults', () => {
      expect(loadConfig({}).push).toEqual({
        enabled: true,
        allowedHosts: ['localhost', '127.0.0.1'],
        disableAfterMs: 432_000_000,
        secretOverlapMs: 86_400_000,
        secretKey: expect.any(String),
        leaseMs: 30_000,
      });
      expect(loadConfig(PRODUCTION).push.allowedHosts).toEqual([]);
      expect(loadConfig({ PUSH_ALLOWED_HOSTS: 'hooks.example.com, *.internal.example.com' }).push.allowedHosts).toEqual([
        'hooks.example.com',
        '*.internal.example.com',
      ]);
    });

    it('need PUSH_SECRET_KEY in production once a host is allowed', () => {
      expect(problemsOf({ ...PRODUCTION, PUSH_ALLOWED_HOSTS: 'hooks.example.com' })).toEqual([
        'required in production but not set: PUSH_SECRET_KEY (PUSH_ALLOWED_HOSTS is set)',
      ]);
      expect(loadConfig({ ...PRODUCTION, PUSH_ALLOWED_HOSTS: 'hooks.example.com', PUSH_SECRET_KEY: 'k'.repeat(32) }).push.secretKey).toBe(
        'k'.repeat(32),
      );
    });
  });
});
