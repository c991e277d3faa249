#!/usr/bin/env node
// @ts-check
// Sends a realistic, signed Suki notification to a running instance and prints the answer:
// what `stripe trigger` is for Stripe. Plain JavaScript so that it runs on a fresh clone
// without a build.
//
//   npm run notify -- <success|failure|timeout|cancelled> [--session ID] [--encounter ID] [--url URL] [--suki-fault FAULT] [--suki-latency MS] [--suki-limit N]
//
// The secret is the first of SUKI_WEBHOOK_SECRETS, else the development secret the service
// generated in DATA_DIR/dev-secrets.json (see src/config/dev-secrets.ts). A .env file in the
// working directory is read first, as the service reads it.
const { createHmac, randomUUID } = require('node:crypto');
const { existsSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { URLSearchParams } = require('node:url');

const USAGE =
  'usage: npm run notify -- <success|failure|timeout|cancelled> [--session ID] [--encounter ID] [--url URL] [--suki-fault FAULT] [--suki-latency MS] [--suki-limit N]';
const HELP = `${USAGE}

Sends one signed Suki notification to the service and prints its answer.

  success | failure | timeout | cancelled   the notification, as Suki sends it; a success links all six resources
  --session ID      the session_id (default: a new UUID)
  --encounter ID    the encounter_id (default: a new UUID)
  --url URL         the service (default: http://localhost:$PORT, PORT from the environment or .env, else 3000)
  --suki-fault F    success only: the built-in Suki API simulator answers each linked resource with a fault
                    before its content, so you can watch retrieval retry. F is <status>[x<times>] or
                    timeout[x<times>]: 503x3 (three 503s), 429 (one 429 with Retry-After: 1), 404 (fails for
                    good), timeoutx2 (no answer twice, each until SUKI_REQUEST_TIMEOUT_MS)
  --suki-latency MS success only: the simulator answers each linked resource MS milliseconds late (0-10000)
  --suki-limit N    success only: the simulator refuses a call with 429 (Retry-After: 1) while N calls
                    carrying a limit are being answered (1-1000), as Suki does above its concurrency
  -h, --help        this text

Signs with the first of SUKI_WEBHOOK_SECRETS, else the development secret in DATA_DIR/dev-secrets.json.`;
const KINDS = ['success', 'failure', 'timeout', 'cancelled'];
const OPTIONS = {
  session: 'session',
  encounter: 'encounter',
  url: 'url',
  'suki-fault': 'sukiFault',
  'suki-latency': 'sukiLatency',
  'suki-limit': 'sukiLimit',
};
// The ranges src/simulator/playback.ts accepts.
const PLAYBACK = { sukiLatency: ['--suki-latency', 'suki_latency', 0, 10_000], sukiLimit: ['--suki-limit', 'suki_limit', 1, 1_000] };
// The grammar src/simulator/fault.ts parses (the simulator answers 400 to anything else).
const FAULT = /^(?:[45]\d\d|timeout)(?:x(\d{1,3}))?$/;

function parseArgs(argv) {
  const [kind, ...rest] = argv;
  if (!KINDS.includes(kind)) throw new UsageError(kind ? `unknown notification "${kind}"` : 'which notification?');
  /** @type {{kind: string, session: string, encounter: string, url?: string, sukiFault?: string, sukiLatency?: string, sukiLimit?: string}} */
  const options = { kind, session: randomUUID(), encounter: randomUUID(), url: undefined, sukiFault: undefined };
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i].replace(/^--/, '');
    const value = rest[i + 1];
    if (!Object.hasOwn(OPTIONS, name) || !rest[i].startsWith('--')) throw new UsageError(`unknown option ${rest[i]}`);
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${rest[i]} needs a value`);
    options[OPTIONS[name]] = value;
  }
  if (options.sukiFault !== undefined) {
    const match = FAULT.exec(options.sukiFault.toLowerCase());
    if (!match || Number(match[1] ?? 1) < 1 || Number(match[1] ?? 1) > 100)
      throw new UsageError(
        `--suki-fault must be <status 400-599>[x<times 1-100>] or timeout[x<times>], e.g. 503x3 (got "${options.sukiFault}")`,
      );
    if (kind !== 'success') throw new UsageError('--suki-fault applies to success notifications (only they link resources to fetch)');
  }
  for (const [key, [flag, , min, max]] of Object.entries(PLAYBACK)) {
    const value = options[key];
    if (value === undefined) continue;
    if (!/^\d{1,5}$/.test(value) || Number(value) < min || Number(value) > max)
      throw new UsageError(`${flag} must be a whole number from ${min} to ${max} (got "${value}")`);
    if (kind !== 'success') throw new UsageError(`${flag} applies to success notifications (only they link resources to fetch)`);
  }
  return options;
}

/** The bodies Suki sends (the bodies and fields of Suki's documentation and signed examples); a success carries all six link kinds. */
function buildNotification(kind, sessionId, encounterId, options = {}) {
  if (kind === 'failure') {
    return {
      encounter_id: encounterId,
      error_code: 'ERROR_CODE_TRANSCRIPTION',
      error_detail: 'Error in transcription',
      session_id: sessionId,
      status: 'failure',
    };
  }
  if (kind !== 'success') return { encounter_id: encounterId, session_id: sessionId, status: kind };
  // The paths Suki documents for its results, which the built-in simulator serves (src/simulator);
  // a fault, a latency and a limit ride on each href as a query only the simulator reads (src/simulator/fault.ts, playback.ts).
  const params = new URLSearchParams();
  if (options.sukiFault !== undefined) params.set('suki_fault', options.sukiFault);
  for (const [key, [, param]] of Object.entries(PLAYBACK)) if (options[key] !== undefined) params.set(param, options[key]);
  const query = params.size === 0 ? '' : `?${params}`;
  const link = (name, href) => [{ href: `${href}${query}`, method: 'GET', name, type: 'application/json' }];
  return {
    _links: {
      contents: link('contents', `/api/v1/ambient/session/${sessionId}/content`),
      encounter_content: link('encounter_content', `/api/v1/ambient/encounter/${encounterId}/content`),
      structured_data: link('structured_data', `/api/v1/ambient/session/${sessionId}/structured-data`),
      encounter_structured_data: link('encounter_structured_data', `/api/v1/ambient/encounter/${encounterId}/structured-data`),
      status: link('status', `/api/v1/ambient/session/${sessionId}/status`),
      transcripts: link('transcripts', `/api/v1/ambient/session/${sessionId}/transcript`),
    },
    additional_info: { priority: 'high' },
    encounter_id: encounterId,
    session_id: sessionId,
    sessions: [sessionId],
    status: 'success',
  };
}

/** hex(HMAC-SHA256(secret, generated-at + ":" + raw body)), as src/suki/signature.ts verifies it. */
function sign(rawBody, generatedAt, secret) {
  return createHmac('sha256', secret).update(generatedAt, 'utf8').update(':', 'utf8').update(rawBody).digest('hex');
}

function webhookSecret(env) {
  const configured = (env.SUKI_WEBHOOK_SECRETS ?? '')
    .split(',')
    .map((s) => s.trim())
    .find(Boolean);
  if (configured) return configured;
  const file = join(resolve(env.DATA_DIR?.trim() || './.data'), 'dev-secrets.json');
  if (!existsSync(file)) {
    throw new Error(`no secret: set SUKI_WEBHOOK_SECRETS, or start the service once without it so that it writes ${file}`);
  }
  return JSON.parse(readFileSync(file, 'utf8')).webhookSecret;
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (existsSync('.env')) process.loadEnvFile('.env');
  const options = parseArgs(argv);
  const base = options.url ?? `http://localhost:${process.env.PORT?.trim() || 3000}`;
  const target = new URL('/webhooks/notification', base.endsWith('/') ? base : `${base}/`);
  if (options.url && new URL(options.url).pathname.endsWith('/webhooks/notification')) target.pathname = new URL(options.url).pathname;
  const body = Buffer.from(JSON.stringify(buildNotification(options.kind, options.session, options.encounter, options)));
  const generatedAt = String(Date.now());
  const secret = webhookSecret(process.env);
  const response = await fetch(target, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'generated-at': generatedAt, 'x-api-key': sign(body, generatedAt, secret) },
    body,
  }).catch((error) => {
    throw new Error(`could not reach ${target}: ${describeNetworkError(error)}`);
  });
  const answer = await response.text();
  process.stdout.write(`POST ${target} (${options.kind}, session ${options.session}, encounter ${options.encounter})\n`);
  process.stdout.write(`${response.status} ${response.statusText} ${answer}\n`);
  if (response.ok && options.kind === 'success') {
    // Where the note shows up once retrieved (the token itself is never printed).
    const contents = new URL(`/v1/sessions/${encodeURIComponent(options.session)}/artifacts/contents`, target);
    process.stdout.write(`the note, once retrieved: curl -s -H "Authorization: Bearer $TOKEN" ${contents}\n`);
    process.stdout.write(`  (TOKEN: one of INTERNAL_API_TOKENS, else internalApiToken in DATA_DIR/dev-secrets.json)\n`);
  }
  return response.ok ? 0 : 1;
}

/** fetch() says only "fetch failed"; the reason is in its cause (an AggregateError when localhost has two addresses). */
function describeNetworkError(error) {
  const cause = error?.cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  if (code === 'ECONNREFUSED') return 'connection refused (is the service running? npm start)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found (${code})`;
  return code ? `${code}` : String(cause?.message ?? error?.message ?? error);
}

class UsageError extends Error {}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(
      `${error instanceof UsageError ? `${error.message}\n${USAGE}` : error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
