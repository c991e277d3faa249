import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** Secrets generated once for a development instance and kept under DATA_DIR. */
export interface DevSecrets {
  webhookSecret: string;
  internalApiToken: string;
  databasePassword: string;
  /** The `sdp_suki_token` the built-in Suki API simulator accepts (src/simulator). */
  sukiSimulatorToken: string;
}

export const DEV_SECRETS_FILE = 'dev-secrets.json';

export async function loadOrCreateDevSecrets(dataDir: string): Promise<DevSecrets> {
  const file = join(resolve(dataDir), DEV_SECRETS_FILE);
  const existing: Partial<DevSecrets> = await readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as Partial<DevSecrets>,
    () => ({}),
  );
  const secrets: DevSecrets = {
    webhookSecret: existing.webhookSecret ?? randomBytes(32).toString('hex'),
    internalApiToken: existing.internalApiToken ?? randomBytes(24).toString('hex'),
    databasePassword: existing.databasePassword ?? randomBytes(16).toString('hex'),
    sukiSimulatorToken: existing.sukiSimulatorToken ?? randomBytes(24).toString('hex'),
  };
  if (JSON.stringify(existing) !== JSON.stringify(secrets)) {
    await mkdir(resolve(dataDir), { recursive: true });
    await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}
