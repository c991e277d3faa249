#!/usr/bin/env node
// @ts-check
'use strict';
// The operator's view of retrieval, over the admin endpoints (docs/api.md, Dead letters):
//
//   npm run retrieval -- failed [filters] [--limit N] [--all]   list the dead letters, one line each
//   npm run retrieval -- retry [filters]                        reset the matching ones to pending
//
// The token needs scope `admin`: --token, else ADMIN_API_TOKEN, else the development token the
// service generated in DATA_DIR/dev-secrets.json (client `dev`, every scope). A .env file in
// the working directory is read like the service reads it. Prints identifiers, states and
// reasons, never note content (the endpoints serve none). Plain JS: no build.

const { existsSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const USAGE =
  'usage: npm run retrieval -- <failed|retry> [--kind K] [--session ID] [--encounter ID] [--since T] [--before T] ' +
  '[--status S] [--limit N] [--all] [--url URL] [--token T]';
const HELP = `${USAGE}

  failed            list the failed artifacts (the dead letters), newest first: one line each with its
                    kind, session, encounter, attempts and why it failed. One page (--limit, default 50)
                    unless --all; --status pending|ready lists those instead
  retry             reset every failed artifact that matches all the filters to pending, for a fresh
                    retry horizon, and print how many; with no filter, every failed artifact. Audited.
  --kind K          only artifacts of this kind (contents, transcripts, encounter_content, ...)
  --session ID      only the artifacts of this session
  --encounter ID    only the artifacts of this encounter
  --since T         only artifacts updated at or after T (ISO-8601, e.g. 2026-11-27T10:00:00Z or 2026-11-27)
  --before T        only artifacts updated before T
  --url URL         the service (default: http://localhost:$PORT, PORT from the environment or .env, else 3000)
  --token T         a token with scope admin (default: ADMIN_API_TOKEN, else internalApiToken in
                    DATA_DIR/dev-secrets.json)
  -h, --help        this text

Exit code 0 on success, 1 when the service refuses or cannot be reached, 2 for a usage error.`;

const FILTERS = { kind: 'kind', session: 'sessionId', encounter: 'encounterId', since: 'updatedSince', before: 'updatedBefore' };
const LIST_ONLY = { status: 'status', limit: 'limit' };

class UsageError extends Error {}

function parseArgs(argv) {
  const [command, ...rest] = argv;
  if (command !== 'failed' && command !== 'retry') throw new UsageError(command ? `unknown command "${command}"` : 'failed or retry?');
  const options = { command, filters: {}, all: false, url: undefined, token: undefined };
  for (let i = 0; i < rest.length; i += 1) {
    const flag = rest[i];
    const name = flag.startsWith('--') ? flag.slice(2) : '';
    if (name === 'all' && command === 'failed') {
      options.all = true;
      continue;
    }
    const field = FILTERS[name] ?? (command === 'failed' ? LIST_ONLY[name] : undefined);
    if (!field && name !== 'url' && name !== 'token') throw new UsageError(`unknown option "${flag}" for ${command}`);
    const value = rest[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    i += 1;
    if (name === 'url' || name === 'token') options[name] = value;
    else if (name === 'limit' && !(/^\d{1,3}$/.test(value) && Number(value) >= 1 && Number(value) <= 200))
      throw new UsageError('--limit must be a whole number from 1 to 200');
    else options.filters[field] = value;
  }
  return options;
}

function adminToken(env, given) {
  if (given) return given;
  if (env.ADMIN_API_TOKEN?.trim()) return env.ADMIN_API_TOKEN.trim();
  const file = join(resolve(env.DATA_DIR?.trim() || './.data'), 'dev-secrets.json');
  if (!existsSync(file)) {
    throw new UsageError(`no token: pass --token or set ADMIN_API_TOKEN (a client with scope admin), or start the service once without
INTERNAL_API_CLIENTS so that it writes ${file}`);
  }
  return JSON.parse(readFileSync(file, 'utf8')).internalApiToken;
}

// Whatever the service stored is shown, but never as terminal control sequences.
const printable = (value) => String(value).replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '?');

function line(item) {
  const session = item.sessionId === null ? '' : ` session=${printable(item.sessionId)}`;
  const error = item.lastError === null ? '' : `  ${printable(item.lastError)}`;
  return `${item.updatedAt}  ${item.status.padEnd(7)} ${item.kind.padEnd(25)} attempts=${item.attempts}${session} encounter=${printable(item.encounterId)}${error}`;
}

/** One call; the parsed body of a 2xx, else an Error carrying the service's message. */
async function call(url, token, init = {}) {
  const response = await fetch(url, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } }).catch((error) => {
    throw new Error(`could not reach ${url.origin}${url.pathname}: ${describeNetworkError(error)}`);
  });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}: ${printable(body?.message ?? text.slice(0, 200))}`);
  return body;
}

async function listFailed(base, token, options) {
  let cursor;
  let shown = 0;
  do {
    const url = new URL('/v1/artifacts', base);
    for (const [key, value] of Object.entries(options.filters)) url.searchParams.set(key, value);
    if (cursor) url.searchParams.set('cursor', cursor);
    const page = await call(url, token);
    for (const item of page.items) process.stdout.write(`${line(item)}\n`);
    shown += page.items.length;
    cursor = page.nextCursor ?? undefined;
    if (cursor && !options.all) process.stderr.write(`${shown} shown; more follow (--all for every one)\n`);
  } while (cursor && options.all);
  if (shown === 0) process.stderr.write(`no ${options.filters.status ?? 'failed'} artifacts match\n`);
  return 0;
}

async function retry(base, token, options) {
  const body = await call(new URL('/v1/artifacts/retry', base), token, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(options.filters),
  });
  process.stdout.write(`retried ${body.retried} failed artifact(s): pending again, for a fresh retry horizon\n`);
  return 0;
}

/** fetch() says only "fetch failed"; the reason is in its cause (an AggregateError when localhost has two addresses). */
function describeNetworkError(error) {
  const cause = error?.cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  if (code === 'ECONNREFUSED') return 'connection refused (is the service running? npm start)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found (${code})`;
  return code ? `${code}` : String(cause?.message ?? error?.message ?? error);
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (existsSync('.env')) process.loadEnvFile('.env');
  const options = parseArgs(argv);
  const base = new URL(options.url ?? `http://localhost:${process.env.PORT?.trim() || 3000}`);
  const token = adminToken(process.env, options.token);
  return options.command === 'failed' ? listFailed(base, token, options) : retry(base, token, options);
}

main().then(
  (code) => process.exit(code),
  (error) => {
    const usage = error instanceof UsageError;
    process.stderr.write(`${usage ? `${error.message}\n${USAGE}` : error instanceof Error ? error.message : String(error)}\n`);
    process.exit(usage ? 2 : 1);
  },
);
