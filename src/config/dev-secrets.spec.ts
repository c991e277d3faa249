import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIN_TOKEN_LENGTH } from './api-clients';
import { loadOrCreateDevSecrets } from './dev-secrets';

describe('development secrets', () => {
  it('generates a webhook secret and a /v1 token the configuration rule would accept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dev-secrets-'));
    try {
      const secrets = await loadOrCreateDevSecrets(dir);
      expect(secrets.webhookSecret.length).toBeGreaterThanOrEqual(MIN_TOKEN_LENGTH);
      expect(secrets.internalApiToken.length).toBeGreaterThanOrEqual(MIN_TOKEN_LENGTH);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
