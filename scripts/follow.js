#!/usr/bin/env node
'use strict';
// npm run follow -- [--types t1,t2] [--from now|start] [--url URL]
//
// Tails the change feed (GET /v1/events) in a terminal, one line per event, the way
// `stripe listen` or `kubectl get -w` do: long-polls, resumes from its cursor, and says so when
// it has to reconnect. The bearer token is the first of INTERNAL_API_TOKENS, or else the
// development token the service generated in DATA_DIR/dev-secrets.json. A .env file in the
// working directory is read like the service reads it. Ctrl-C exits 0. Plain JS: no build.

const { existsSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const USAGE = 'usage: npm run follow -- [--types t1,t2] [--from now|start] [--url URL]';

function parseArgs(argv) {
  const options = { from: 'now' };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--types' && value) options.types = value;
    else if (flag === '--from' && (value === 'now' || value === 'start')) options.from = value;
    else if (flag === '--url' && value) options.url = value;
    else return undefined;
    i += 1;
  }
  return options;
}

function bearerToken(env) {
  const configured = env.INTERNAL_API_TOKENS?.split(',')
    .map((token) => token.trim())
    .find(Boolean);
  if (configured) return configured;
  const file = join(resolve(env.DATA_DIR?.trim() || './.data'), 'dev-secrets.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')).internalApiToken;
}

function line(event) {
  const subject = event.kind ? `${event.kind} ` : '';
  const session = event.sessionId ? `session=${event.sessionId} ` : '';
  return `${event.occurredAt}  ${event.type.padEnd(22)} ${subject}${session}encounter=${event.encounterId}`;
}

async function follow(base, token, options, signal) {
  let cursor = options.from;
  let failures = 0;
  const types = options.types ? `&types=${encodeURIComponent(options.types)}` : '';
  while (!signal.aborted) {
    try {
      const url = `${base}/v1/events?after=${encodeURIComponent(cursor)}&limit=1000&waitSeconds=25${types}`;
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal });
      const body = await response.json();
      if (!response.ok) {
        process.stderr.write(`${response.status} ${body.message ?? ''}\n`);
        // A bad token, filter or a cursor past retention will not heal by retrying.
        if (response.status < 500) return 1;
        throw new Error(`HTTP ${response.status}`);
      }
      if (failures > 0) process.stderr.write('reconnected\n');
      failures = 0;
      for (const event of body.items) process.stdout.write(`${line(event)}\n`);
      cursor = body.nextCursor;
    } catch (error) {
      if (signal.aborted) break;
      failures += 1;
      if (failures === 1) process.stderr.write(`feed unreachable (${error.cause?.code ?? error.message}); retrying\n`);
      await new Promise((done) => setTimeout(done, Math.min(10_000, 500 * 2 ** failures)));
    }
  }
  return 0;
}

async function main() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const options = parseArgs(process.argv.slice(2));
  if (!options) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const base = (options.url ?? `http://localhost:${process.env.PORT?.trim() || 3000}`).replace(/\/$/, '');
  const token = bearerToken(process.env);
  if (!token) {
    process.stderr.write('no bearer token: set INTERNAL_API_TOKENS, or start the service once to generate DATA_DIR/dev-secrets.json\n');
    return 2;
  }
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  process.stderr.write(
    `following ${base}/v1/events from ${options.from}${options.types ? ` (types ${options.types})` : ''}; Ctrl-C to stop\n`,
  );
  return follow(base, token, options, stop.signal);
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  },
);
