import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { describeError, isConnectionError } from './common/http-error';
import { AppConfig } from './config/app-config';
import { loadOrCreateDevSecrets } from './config/dev-secrets';
import { loadConfig } from './config/load-config';
import { EmbeddedDatabase, startEmbeddedDatabase } from './database/embedded-database';
import { applyMigrations } from './database/migrator';

export interface Runtime {
  config: AppConfig;
  /** Stops what the runtime started (the embedded database), after the application closed. */
  close(): Promise<void>;
}

/**
 * Turns the environment into a runnable configuration: validates it, fills development
 * defaults (an embedded PostgreSQL, generated secrets kept under DATA_DIR) and migrates.
 * Production never gets a default: loadConfig refuses to start without the real values.
 */
export async function prepareRuntime(env: Record<string, string | undefined>, logger = new Logger('Runtime')): Promise<Runtime> {
  const config = loadConfig(env);
  let embedded: EmbeddedDatabase | undefined;

  if (!config.production && (!config.databaseUrl || config.webhook.secrets.length === 0 || config.internalApiTokens.length === 0)) {
    const secrets = await loadOrCreateDevSecrets(config.dataDir);
    if (config.webhook.secrets.length === 0) {
      config.webhook.secrets = [secrets.webhookSecret];
      logger.warn(`SUKI_WEBHOOK_SECRETS not set: using the development secret in ${config.dataDir}/dev-secrets.json`);
    }
    if (config.internalApiTokens.length === 0) {
      config.internalApiTokens = [secrets.internalApiToken];
      logger.warn(`INTERNAL_API_TOKENS not set: using the development token in ${config.dataDir}/dev-secrets.json`);
    }
    if (!config.databaseUrl) {
      embedded = await startEmbeddedDatabase({ dataDir: config.dataDir, password: secrets.databasePassword, database: 'suki' });
      config.databaseUrl = embedded.url;
      logger.warn(`DATABASE_URL not set: started an embedded PostgreSQL in ${config.dataDir}/postgres`);
    }
  }

  try {
    if (config.migrateOnStart) {
      const applied = await applyMigrations(config.databaseUrl!);
      if (applied.length > 0) logger.log(`applied migrations: ${applied.join(', ')}`);
    }
  } catch (error) {
    if (isConnectionError(error)) {
      // A database that is away (a failover, a restart) must not keep the service down with it:
      // it serves into the local spool and migrates, then drains, once the database answers.
      config.migrateWhenReachable = true;
      logger.warn(
        `database unreachable at boot (${describeError(error)}): accepting notifications into the spool; migrating once it answers`,
      );
    } else {
      await embedded?.stop().catch(() => undefined);
      throw error;
    }
  }

  return { config, close: async () => embedded?.stop() };
}

/** Reads a `.env` file in the working directory into the environment, when there is one. */
export function readEnvironment(): Record<string, string | undefined> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return process.env;
}
