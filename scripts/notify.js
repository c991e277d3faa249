#!/usr/bin/env node
// @ts-check
// Sends a realistic, signed Suki notification to a running instance and prints the answer:
// what `stripe trigger` is for Stripe. Plain JavaScript so that it runs on a fresh clone
// without a build.
//
//   npm run notify -- <success|failure|timeout|cancelled> [--session ID] [--encounter ID] [--url URL]
//
// The secret is the first of SUKI_WEBHOOK_SECRETS, else the development secret the service
// generated in DATA_DIR/dev-secrets.json (see src/config/dev-secrets.ts). A .env file in the
// working directory is read first, as the service reads it.
const { createHmac, randomUUID } = require('node:crypto');
const { existsSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const USAGE = 'usage: npm run notify -- <success|failure|timeout|cancelled> [--session ID] [--encounter ID] [--url URL]';
const KINDS = ['success', 'failure', 'timeout', 'cancelled'];

function parseArgs(argv) {
  const [kind, ...rest] = argv;
  if (!KINDS.includes(kind)) throw new UsageError(kind ? `unknown notification "${kind}"` : 'which notification?');
  const options = { kind, session: randomUUID(), encounter: randomUUID(), url: undefined };
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i].replace(/^--/, '');
    const value = rest[i + 1];
    if (!['session', 'encounter', 'url'].includes(name) || !rest[i].startsWith('--')) throw new UsageError(`unknown option ${rest[i]}`);
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${rest[i]} needs a value`);
    options[name] = value;
  }
  return options;
}

/** The bodies Suki sends (see shared/suki-contract.md §5 and §11); a success carries all six link kinds. */
function buildNotification(kind, sessionId, encounterId) {
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
  const link = (name, href) => [{ href, method: 'GET', name, type: 'application/json' }];
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

/** hex(HMAC-SHA256(secret, generated-at + ":" + raw body)), as src/webhooks/signature.ts verifies it. */
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
  if (existsSync('.env')) process.loadEnvFile('.env');
  const options = parseArgs(process.argv.slice(2));
  const base = options.url ?? `http://localhost:${process.env.PORT?.trim() || 3000}`;
  const target = new URL('/webhooks/notification', base.endsWith('/') ? base : `${base}/`);
  if (options.url && new URL(options.url).pathname.endsWith('/webhooks/notification')) target.pathname = new URL(options.url).pathname;
  const body = Buffer.from(JSON.stringify(buildNotification(options.kind, options.session, options.encounter)));
  const generatedAt = String(Date.now());
  const response = await fetch(target, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'generated-at': generatedAt,
      'x-api-key': sign(body, generatedAt, webhookSecret(process.env)),
    },
    body,
  });
  const answer = await response.text();
  process.stdout.write(`POST ${target} (${options.kind}, session ${options.session}, encounter ${options.encounter})\n`);
  process.stdout.write(`${response.status} ${response.statusText} ${answer}\n`);
  return response.ok ? 0 : 1;
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
