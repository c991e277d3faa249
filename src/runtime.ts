import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { SCOPES, sha256 } from './config/api-clients';
import { describeError, isConnectionError } from './common/http-error';
import { AppConfig } from './config/app-config';
import { join } from 'node:path';
import { DEV_SECRETS_FILE, loadOrCreateDevSecrets } from './config/dev-secrets';
import { EmbeddedDatabase, startEmbeddedDatabase } from './database/embedded-database';
import { applyMigrations } from './database/migrator';
import { acquireInstanceLock, InstanceLock } from './instance-lock';
import { prepareSukiApi, SukiApiSetup } from './simulator/simulator-runtime';

/** The client of the generated development token (outside production only). */
export const DEV_CLIENT = 'dev';

export interface Runtime {
  config: AppConfig;
  /** What the startup line names: set only when a development default was used. */
  devSecretsFile?: string;
  embeddedDatabaseUrl?: string;
  /** DATA_DIR's lock, held whenever DATA_DIR is in use (outside production). */
  instanceLock?: InstanceLock;
  /** Stops what the runtime started (the Suki API simulator, the embedded database), after the application closed. */
  close(): Promise<void>;
}

/**
 * Turns the validated configuration into a runnable one: fills development defaults (an
 * embedded PostgreSQL, generated secrets kept under DATA_DIR) and migrates. Production never
 * gets a default: loadConfig refuses to start without the real values. The validated object is
 * not changed: what is filled in makes a derived copy, frozen before the application sees it.
 */
export async function prepareRuntime(validated: AppConfig, logger = new Logger('Runtime')): Promise<Runtime> {
  let config = validated;
  let embedded: EmbeddedDatabase | undefined;
  let instanceLock: InstanceLock | undefined;
  let devSecretsFile: string | undefined;

  if (!config.production && (!config.databaseUrl || config.webhook.secrets.length === 0 || config.apiClients.length === 0)) {
    // Before anything in DATA_DIR is read or started: one instance per DATA_DIR.
    instanceLock = acquireInstanceLock(config.dataDir, config.port);
    devSecretsFile = join(config.dataDir, DEV_SECRETS_FILE);
    const secrets = await loadOrCreateDevSecrets(config.dataDir);
    if (config.webhook.secrets.length === 0) {
      config = { ...config, webhook: { ...config.webhook, secrets: [secrets.webhookSecret] } };
      logger.warn(`SUKI_WEBHOOK_SECRETS not set: using the development secret in ${config.dataDir}/dev-secrets.json`);
    }
    if (config.apiClients.length === 0) {
      // Every scope, so that a first run can try every endpoint with the one token it was given.
      config = { ...config, apiClients: [{ name: DEV_CLIENT, scopes: SCOPES, tokenSha256: sha256(secrets.internalApiToken) }] };
      logger.warn(
        `INTERNAL_API_CLIENTS and INTERNAL_API_TOKENS not set: client ${DEV_CLIENT} (${SCOPES.join('+')}) uses the development token in ${config.dataDir}/dev-secrets.json`,
      );
    }
    if (!config.databaseUrl) {
      embedded = await startEmbeddedDatabase({ dataDir: config.dataDir, password: secrets.databasePassword, database: 'suki' });
      config = { ...config, databaseUrl: embedded.url };
      logger.warn(`DATABASE_URL not set: started an embedded PostgreSQL in ${config.dataDir}/postgres (its log: ${embedded.logFile})`);
    }
  }

  try {
    if (config.migrateOnStart) {
      // Bounded by DATABASE_CONNECT_TIMEOUT_MS: a database that is away, refuses or hangs lets the
      // boot go on into the spool below, within seconds; one that answers is migrated here.
      const applied = await applyMigrations(config.databaseUrl!, undefined, config.databaseConnectTimeoutMs);
      if (applied.length > 0) logger.log(`applied migrations: ${applied.join(', ')}`);
    }
  } catch (error) {
    if (!isConnectionError(error)) {
      await embedded?.stop().catch(() => undefined);
      instanceLock?.release();
      throw error;
    }
    // A database that is away (a failover, a restart) must not keep the service down with it:
    // it serves into the local spool and migrates, then drains, once the database answers.
    config = { ...config, migrateWhenReachable: true };
    logger.warn(
      `database unreachable at boot (${describeError(error)}): accepting notifications into the spool; migrating once it answers`,
    );
  }

  let suki: SukiApiSetup;
  try {
    // The Suki API simulator when none is configured (src/simulator); a derived config.
    suki = await prepareSukiApi(config, logger);
  } catch (error) {
    await embedded?.stop().catch(() => undefined);
    instanceLock?.release();
    throw error;
  }

  const close = async () => {
    await suki.close();
    await embedded?.stop();
    instanceLock?.release();
  };
  return { config: deepFreeze(suki.config), devSecretsFile, embeddedDatabaseUrl: embedded?.url, instanceLock, close };
}

/**
 * Nothing changes the configuration once the application runs: a write to it is a bug, and
 * frozen it fails loudly (TypeError in strict mode) instead of silently diverging between
 * the modules that read it. Buffers (an API client's token digest) cannot be frozen, and stay as they are.
 */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || Object.isFrozen(value)) return value;
  for (const property of Object.values(value)) deepFreeze(property);
  return Object.freeze(value);
}

/** Reads a `.env` file in the working directory into the environment, when there is one. */
export function readEnvironment(): Record<string, string | undefined> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return process.env;
}
