/** What the one line at the end of startup names. */
export interface StartupFacts {
  port: number;
  /** Set when generated development secrets are in use. */
  devSecretsFile?: string;
  /** Set when the embedded PostgreSQL runs. */
  embeddedDatabaseUrl?: string;
  /** Set when the built-in Suki API simulator serves retrieval: every note fetched is made up. */
  sukiSimulatorUrl?: string;
}

/**
 * The line a person at a terminal reads: where the service is, its docs, and, in development,
 * where the secrets are and how `psql` reaches the embedded database. The embedded database's
 * URL carries its password: a generated development secret (already in dev-secrets.json) for a
 * server that listens on the loopback interface only. Production uses neither, so no secret of
 * its is ever printed.
 */
export function startupLine(facts: StartupFacts): string {
  const url = `http://localhost:${facts.port}`;
  // First, so that it cannot be missed: a made-up note must never be taken for a real one.
  const parts = facts.sukiSimulatorUrl
    ? [
        `ready: ${url} against the SUKI API SIMULATOR at ${facts.sukiSimulatorUrl}: every note is made up (simulated: true) (API docs ${url}/docs)`,
      ]
    : [`ready: ${url} (API docs ${url}/docs)`];
  if (facts.devSecretsFile) parts.push(`dev secrets in ${facts.devSecretsFile}`);
  if (facts.embeddedDatabaseUrl) parts.push(`embedded database ${facts.embeddedDatabaseUrl}`);
  return parts.join('; ');
}
