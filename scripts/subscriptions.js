#!/usr/bin/env node
'use strict';
// npm run subscriptions -- list
//                        add <url> [--types t1,t2] [--after now|start|CURSOR] [--description TEXT] [--max-in-flight N]
//                        pause <id> | resume <id> | rotate <id> | test <id> | attempts <id>
//                        replay <id> [--after start|CURSOR]
//                        [--url BASE]
//
// Manages push subscriptions through the HTTP API (/v1/subscriptions), the way `npm run follow`
// reads the feed. It needs a client with the `admin` scope: the token is SUBSCRIPTIONS_TOKEN, or
// the development token in DATA_DIR/dev-secrets.json (the `dev` client has every scope). A new
// or rotated secret is printed once, on its own line, for the receiver's configuration; nothing
// else ever shows it. A .env file in the working directory is read like the service reads it.

const { existsSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const USAGE = `usage: npm run subscriptions -- list
       npm run subscriptions -- add <url> [--types t1,t2] [--after now|start|CURSOR] [--description TEXT] [--max-in-flight N]
       npm run subscriptions -- pause|resume|rotate|test|attempts <id>
       npm run subscriptions -- replay <id> [--after start|CURSOR]
  (any of them with --url BASE, default http://localhost:$PORT)`;

const FLAGS = { '--types': 'types', '--after': 'after', '--description': 'description', '--max-in-flight': 'maxInFlight', '--url': 'base' };

function parseArgs(argv) {
  const [command, ...rest] = argv;
  const positional = [];
  const options = {};
  for (let i = 0; i < rest.length; i += 1) {
    const name = FLAGS[rest[i]];
    if (name) {
      if (rest[i + 1] === undefined) return undefined;
      options[name] = rest[i + 1];
      i += 1;
    } else if (rest[i].startsWith('--')) return undefined;
    else positional.push(rest[i]);
  }
  const needsId = ['pause', 'resume', 'rotate', 'test', 'attempts', 'replay'];
  if (command === 'list' && positional.length === 0) return { command, options };
  if (command === 'add' && positional.length === 1) return { command, url: positional[0], options };
  if (needsId.includes(command) && positional.length === 1) return { command, id: positional[0], options };
  return undefined;
}

function bearerToken(env) {
  if (env.SUBSCRIPTIONS_TOKEN?.trim()) return env.SUBSCRIPTIONS_TOKEN.trim();
  const file = join(resolve(env.DATA_DIR?.trim() || './.data'), 'dev-secrets.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')).internalApiToken;
}

function requestFor(args) {
  const id = args.id && encodeURIComponent(args.id);
  const o = args.options;
  switch (args.command) {
    case 'list':
      return ['GET', '/v1/subscriptions?limit=200'];
    case 'add': {
      const body = { url: args.url };
      if (o.types) body.types = o.types.split(',').map((t) => t.trim());
      if (o.after) body.after = o.after;
      if (o.description) body.description = o.description;
      if (o.maxInFlight) body.maxInFlight = Number(o.maxInFlight);
      return ['POST', '/v1/subscriptions', body];
    }
    case 'pause':
      return ['PATCH', `/v1/subscriptions/${id}`, { status: 'paused' }];
    case 'resume':
      return ['PATCH', `/v1/subscriptions/${id}`, { status: 'active' }];
    case 'rotate':
      return ['POST', `/v1/subscriptions/${id}/rotate-secret`];
    case 'test':
      return ['POST', `/v1/subscriptions/${id}/test`];
    case 'attempts':
      return ['GET', `/v1/subscriptions/${id}/attempts?limit=50`];
    case 'replay':
      return ['POST', `/v1/subscriptions/${id}/replay`, { after: o.after ?? 'start' }];
  }
}

function line(s) {
  const lag = `lag ${s.lagEvents} events / ${s.lagSeconds}s`;
  const failing = s.failingSince ? `  failing since ${s.failingSince}` : '';
  const last = s.lastAttempt
    ? `  last ${s.lastAttempt.at} ${s.lastAttempt.httpStatus ?? '-'}${s.lastAttempt.error ? ` (${s.lastAttempt.error})` : ''}`
    : '';
  return `${s.id}  ${s.status.padEnd(8)} ${s.url}  [${s.types ? s.types.join(',') : 'all types'}]  ${lag}${failing}${last}`;
}

function print(args, body) {
  switch (args.command) {
    case 'list':
      if (body.items.length === 0) process.stdout.write('no subscriptions\n');
      for (const s of body.items) process.stdout.write(`${line(s)}\n`);
      return;
    case 'add':
      process.stdout.write(`subscribed ${body.id} to ${body.url} from cursor ${body.cursor}\n`);
      process.stderr.write('signing secret (shown only now; give it to the receiver):\n');
      process.stdout.write(`${body.secret}\n`);
      return;
    case 'rotate':
      process.stderr.write('new signing secret (shown only now; the previous one signs too during the overlap):\n');
      process.stdout.write(`${body.secret}\n`);
      return;
    case 'test':
      process.stdout.write(`ping ${body.eventId} sent; see: npm run subscriptions -- attempts ${args.id}\n`);
      return;
    case 'attempts':
      for (const a of body.items)
        process.stdout.write(
          `${a.attemptedAt}  ${String(a.httpStatus ?? '-').padEnd(4)} ${String(a.durationMs).padStart(6)} ms  ${a.eventId}${a.error ? `  ${a.error}` : ''}\n`,
        );
      return;
    case 'replay':
      process.stdout.write(`replaying ${args.id} from cursor ${body.cursor}\n`);
      return;
    default:
      process.stdout.write(`${line(body)}\n`);
  }
}

async function main() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const args = parseArgs(process.argv.slice(2));
  if (!args) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const base = (args.options.base ?? `http://localhost:${process.env.PORT?.trim() || 3000}`).replace(/\/$/, '');
  const token = bearerToken(process.env);
  if (!token) {
    process.stderr.write(
      'no bearer token: set SUBSCRIPTIONS_TOKEN (a client with the admin scope), or start the service once to generate DATA_DIR/dev-secrets.json\n',
    );
    return 2;
  }
  const [method, path, body] = requestFor(args);
  let response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (error) {
    process.stderr.write(`service unreachable at ${base} (${error.cause?.code ?? error.message})\n`);
    return 1;
  }
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : {};
  if (!response.ok) {
    const message = Array.isArray(parsed.message) ? parsed.message.join('; ') : parsed.message;
    process.stderr.write(`${response.status} ${message ?? ''}\n`);
    return 1;
  }
  print(args, parsed);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  },
);
