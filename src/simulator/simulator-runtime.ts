import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DEV_SECRETS_FILE, loadOrCreateDevSecrets } from '../config/dev-secrets';
import { startSukiSimulator } from './suki-simulator';

export interface SukiApiSetup {
  /** The configuration to run with: the one given, or a copy pointing at the simulator. */
  config: AppConfig;
  /** Stops the simulator, when one was started. */
  close(): Promise<void>;
}

/**
 * Decides which Suki API this instance talks to, once, at boot. With no Suki API configured
 * (config.suki.simulate, never in production) it starts the built-in simulator on a free
 * loopback port and returns a configuration that points at it, with the development token
 * from DATA_DIR/dev-secrets.json, so that a first run's test notification ends with its note
 * fetched. The validated configuration is not changed: a derived copy is returned.
 *
 * A real SUKI_API_BASE_URL without a token (static mode) is allowed outside production, but
 * every retrieval would fail, so boot says so in one line.
 */
export async function prepareSukiApi(config: AppConfig, logger = new Logger('SukiApi')): Promise<SukiApiSetup> {
  const { suki } = config;
  // loadConfig never asks for it in production; checked here too, where it would start, since
  // a simulator's made-up note in a real record is the one thing it must never cause.
  if (suki.simulate && config.production) throw new Error('the Suki API simulator never runs in production');
  if (!suki.simulate) {
    if (suki.authMode === 'static' && !suki.apiToken) {
      logger.warn(
        `SUKI_API_BASE_URL is set (${origin(suki.apiBaseUrl)}) but SUKI_API_TOKEN is not: every artifact will fail ("no Suki API token configured") until it is set`,
      );
    }
    return { config, close: () => Promise.resolve() };
  }

  const secrets = await loadOrCreateDevSecrets(config.dataDir);
  const simulator = await startSukiSimulator({ token: secrets.sukiSimulatorToken });
  logger.warn(
    `no Suki API configured: using the built-in Suki API simulator at ${simulator.url} (token sukiSimulatorToken in ${config.dataDir}/${DEV_SECRETS_FILE}); set SUKI_API_BASE_URL and SUKI_API_TOKEN for a real one`,
  );
  return {
    config: { ...config, suki: { ...suki, apiBaseUrl: simulator.url, apiToken: secrets.sukiSimulatorToken } },
    close: () => simulator.close(),
  };
}

/** Only the origin is logged: a base URL could carry credentials in its user-info part. */
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'unreadable URL';
  }
}
