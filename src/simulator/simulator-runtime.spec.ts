import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { loadConfig } from '../config/load-config';
import { sessionContent } from './simulated-content';
import { prepareSukiApi } from './simulator-runtime';

/** A logger that keeps what it was told. */
function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = { log: (m: string) => lines.push(m), warn: (m: string) => lines.push(m) } as unknown as Logger;
  return { logger, lines };
}

describe('prepareSukiApi', () => {
  let dataDir: string;

  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'suki-simulator-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('never starts the simulator in production, whatever the configuration says', async () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    const { logger } = recordingLogger();
    await expect(prepareSukiApi({ ...config, production: true }, logger)).rejects.toThrow('never runs in production');
  });

  it('with no Suki API configured, serves the simulator with the development token and says where, in one line', async () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    const { logger, lines } = recordingLogger();
    const setup = await prepareSukiApi(config, logger);
    try {
      const { sukiSimulatorToken: token } = JSON.parse(readFileSync(join(dataDir, 'dev-secrets.json'), 'utf8')) as {
        sukiSimulatorToken: string;
      };
      expect(token).toMatch(/^[0-9a-f]{48}$/);
      expect(setup.config.suki).toMatchObject({
        apiBaseUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) as string,
        apiToken: token,
      });
      // A derived configuration: the validated one is left as it was.
      expect(config.suki).toMatchObject({ apiBaseUrl: 'https://sdp.suki.ai', apiToken: undefined });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`built-in Suki API simulator at ${setup.config.suki.apiBaseUrl}`);
      expect(lines[0]).not.toContain(token);

      const answer = await fetch(`${setup.config.suki.apiBaseUrl}/api/v1/ambient/session/s-1/content`, {
        headers: { sdp_suki_token: token },
      });
      expect(await answer.json()).toEqual(sessionContent('s-1'));
    } finally {
      await setup.close();
    }
    await expect(fetch(`${setup.config.suki.apiBaseUrl}/`)).rejects.toThrow();
  });

  it('keeps the same token across restarts', async () => {
    const first = await prepareSukiApi(loadConfig({ DATA_DIR: dataDir }), recordingLogger().logger);
    await first.close();
    const second = await prepareSukiApi(loadConfig({ DATA_DIR: dataDir }), recordingLogger().logger);
    await second.close();
    expect(second.config.suki.apiToken).toBe(first.config.suki.apiToken);
  });

  it('warns in one line when a real base URL is set without a token, and changes nothing', async () => {
    const config = loadConfig({ DATA_DIR: dataDir, SUKI_API_BASE_URL: 'https://user:pw@sdp.suki-stage.com/' });
    const { logger, lines } = recordingLogger();
    const setup = await prepareSukiApi(config, logger);
    expect(setup.config).toBe(config);
    expect(lines).toEqual([
      'SUKI_API_BASE_URL is set (https://sdp.suki-stage.com) but SUKI_API_TOKEN is not: every artifact will fail ("no Suki API token configured") until it is set',
    ]);
  });

  it.each([
    ['a token for the real Suki', { SUKI_API_TOKEN: 'real-token' }],
    ['a base URL and a token', { SUKI_API_BASE_URL: 'https://sdp.suki-stage.com', SUKI_API_TOKEN: 'real-token' }],
    [
      'production',
      {
        NODE_ENV: 'production',
        DATABASE_URL: 'postgresql://u@h/db',
        SUKI_WEBHOOK_SECRETS: 'webhook-secret-0123456789',
        INTERNAL_API_TOKENS: 'internal-token-0123456789',
        SUKI_API_TOKEN: 'real-token',
      },
    ],
  ])('with %s, uses the configured Suki API and says nothing', async (_name, env) => {
    const config = loadConfig({ DATA_DIR: dataDir, ...env });
    const { logger, lines } = recordingLogger();
    const setup = await prepareSukiApi(config, logger);
    expect(setup.config).toBe(config);
    expect(lines).toEqual([]);
  });
});
