import { ConfigValidationError } from '../config/app-config';
import { loadConfig } from '../config/load-config';

describe('retrieval configuration', () => {
  it.each([
    {
      env: {},
      expected: { enabled: true, pollMs: 500, leaseMs: 60_000, backoffBaseMs: 1_000, backoffMaxMs: 300_000, shutdownGraceMs: 10_000 },
    },
    // The default lease outlives the longest attempt: two calls and a login, each up to the timeout.
    { env: { SUKI_REQUEST_TIMEOUT_MS: '30000' }, expected: { leaseMs: 95_000 } },
    { env: { RETRIEVAL_LEASE_MS: '1500', SUKI_REQUEST_TIMEOUT_MS: '30000' }, expected: { leaseMs: 1_500 } },
    {
      env: {
        RETRIEVAL_ENABLED: 'false',
        RETRIEVAL_POLL_MS: '50',
        RETRIEVAL_BACKOFF_BASE_MS: '20',
        RETRIEVAL_BACKOFF_MAX_MS: '200',
        RETRIEVAL_SHUTDOWN_GRACE_MS: '0',
      },
      expected: { enabled: false, pollMs: 50, backoffBaseMs: 20, backoffMaxMs: 200, shutdownGraceMs: 0 },
    },
  ])('reads $env', ({ env, expected }) => {
    expect(loadConfig(env).retrieval).toMatchObject(expected);
  });

  it('names every malformed retrieval variable at once', () => {
    const env = { RETRIEVAL_ENABLED: 'maybe', RETRIEVAL_POLL_MS: '0', RETRIEVAL_LEASE_MS: 'soon' };
    let problems: string[] = [];
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigValidationError) problems = error.problems;
    }
    expect(problems).toEqual([
      'RETRIEVAL_ENABLED must be true or false',
      'RETRIEVAL_POLL_MS must be a whole number from 10 to 60000',
      'RETRIEVAL_LEASE_MS must be a whole number from 500 to 3600000',
    ]);
  });
});
