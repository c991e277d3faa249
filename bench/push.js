'use strict';
// npm run bench:push — push subscriptions: delivery rate and lag to a receiver answering in 20 ms,
// and what dispatching costs intake.
//
// The service (dist/main.js, production, retrieval off so each notification is one feed event,
// session.completed) on a fresh database; receivers are node:http servers in this process that
// answer 204 after PUSH_BENCH_RECEIVER_MS (20), over TLS (production subscribes https only). One subscription (maxInFlight 8):
//   * bursts of 300 and 3,000 notifications posted as fast as 16 connections allow: events
//     delivered per second (first post to last delivery), lag p50/p99/max from the event's
//     occurredAt to its arrival, duplicates;
//   * a steady 20 notifications/s for PUSH_BENCH_STEADY_SECONDS (15): the same lag figures.
// Then intake throughput (autocannon, BENCH_CONNECTIONS, BENCH_DURATION s per run) with no, one
// and ten active subscriptions, alternated for BENCH_ROUNDS rounds after a warm-up.
const { execFileSync } = require('node:child_process');
const { createServer } = require('node:https');
const { mkdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const settings = require('./lib/settings');
const { openServer, createDatabase, dropDatabase } = require('./lib/database');
const { buildService, startService } = require('./lib/service');
const { signedSuccessRequest } = require('./lib/notifications');
const { runLoad } = require('./lib/load');
const { runIfMain } = require('./lib/context');
const { table, fixed, mean } = require('./lib/report');

const RECEIVER_MS = Number(process.env.PUSH_BENCH_RECEIVER_MS || 20);
const STEADY_SECONDS = Number(process.env.PUSH_BENCH_STEADY_SECONDS || 15);
const ADMIN = 'bench-push-admin-token-not-for-production';

/**
 * A self-signed certificate for 127.0.0.1: production subscribes https URLs only, so the
 * receivers speak TLS and the service trusts this certificate through NODE_EXTRA_CA_CERTS.
 */
function selfSignedCertificate(dir) {
  const [key, cert] = [join(dir, 'receiver-key.pem'), join(dir, 'receiver-cert.pem')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert), certFile: cert };
}

/** Receivers: one server, one path per subscription; every arrival recorded by webhook-id. */
async function startReceivers(tls) {
  const arrivals = new Map();
  const server = createServer({ key: tls.key, cert: tls.cert }, (request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const at = Date.now();
      const path = request.url;
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (!arrivals.has(path)) arrivals.set(path, []);
      arrivals.get(path).push({ id: request.headers['webhook-id'], at, occurredAt: Date.parse(event.occurredAt) });
      setTimeout(() => response.writeHead(204).end(), RECEIVER_MS);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, arrivals, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function api(service, method, path, body) {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function post(service) {
  const { sessionId, method, path, headers, body } = signedSuccessRequest(settings.webhookSecret);
  const response = await fetch(`${service.url}${path}`, { method, headers, body });
  await response.text();
  if (!response.ok) throw new Error(`intake answered ${response.status}`);
  return sessionId;
}

async function burst(service, count, connections = 16) {
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < count) {
        next += 1;
        await post(service);
      }
    }),
  );
}

async function steady(service, perSecond, seconds) {
  const posts = [];
  const started = Date.now();
  for (let i = 0; i < perSecond * seconds; i += 1) {
    const due = started + (i * 1000) / perSecond;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
    posts.push(post(service));
  }
  await Promise.all(posts);
}

async function waitForArrivals(list, count, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (new Set(list().map((a) => a.id)).size < count) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** report.js's table from column titles and rows of cells (the first column left-aligned). */
function grid(titles, rows) {
  const columns = titles.map((title, i) => ({ key: String(i), title, left: i === 0 }));
  return table(
    columns,
    rows.map((row) => Object.fromEntries(row.map((cell, i) => [String(i), cell]))),
  );
}

function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Delivery figures of the arrivals since `from` (an index into the path's list). */
function deliveryFigures(arrivals, startedAt, postedAt, expected) {
  const firsts = new Map();
  for (const a of arrivals) if (!firsts.has(a.id)) firsts.set(a.id, a);
  const lags = [...firsts.values()].map((a) => a.at - a.occurredAt).sort((x, y) => x - y);
  const last = Math.max(...[...firsts.values()].map((a) => a.at));
  const afterPosting = [...firsts.values()].filter((a) => a.at >= postedAt).length;
  return {
    // Push steps aside while intake takes over 100 notifications/s: the rate once posting ended.
    drainPerSecond: afterPosting / Math.max(0.001, (last - postedAt) / 1000),
    delivered: firsts.size,
    missing: expected - firsts.size,
    duplicates: arrivals.length - firsts.size,
    perSecond: firsts.size / ((last - startedAt) / 1000),
    p50: percentile(lags, 50),
    p99: percentile(lags, 99),
    max: lags[lags.length - 1],
  };
}

async function deliveryScenarios(service, receivers) {
  const subscription = await api(service, 'POST', '/v1/subscriptions', { url: `https://127.0.0.1:${receivers.port}/delivery` });
  const list = () => receivers.arrivals.get('/delivery') ?? [];
  const rows = [];
  let expected = 0;
  for (const [label, run, count] of [
    ['burst of 300', (s) => burst(s, 300), 300],
    ['burst of 3,000', (s) => burst(s, 3000), 3000],
    [`20/s for ${STEADY_SECONDS} s`, (s) => steady(s, 20, STEADY_SECONDS), 20 * STEADY_SECONDS],
  ]) {
    const from = list().length;
    const startedAt = Date.now();
    await run(service);
    const postedAt = Date.now();
    expected += count;
    const complete = await waitForArrivals(list, expected, 180_000);
    const figures = deliveryFigures(list().slice(from), startedAt, postedAt, count);
    rows.push([
      label,
      String(figures.delivered),
      String(figures.missing),
      String(figures.duplicates),
      fixed(figures.perSecond, 0),
      fixed(figures.drainPerSecond, 0),
      `${figures.p50}`,
      `${figures.p99}`,
      `${figures.max}`,
      complete ? '' : 'TIMED OUT',
    ]);
  }
  await api(service, 'DELETE', `/v1/subscriptions/${subscription.id}`);
  console.log(`\ndelivery to one subscription (receiver answers in ${RECEIVER_MS} ms, maxInFlight 8); lag = arrival − occurredAt, ms`);
  console.log(
    grid(['scenario', 'delivered', 'missing', 'duplicates', 'events/s', 'after posting/s', 'lag p50', 'lag p99', 'lag max', ''], rows),
  );
  return rows.every((row) => row[2] === '0');
}

async function intakeRun(service, receivers, subscriptions, seconds) {
  const ids = [];
  for (let i = 0; i < subscriptions; i += 1) {
    ids.push((await api(service, 'POST', '/v1/subscriptions', { url: `https://127.0.0.1:${receivers.port}/intake-${i}` })).id);
  }
  const stats = await runLoad({
    url: service.url,
    connections: settings.connections,
    durationSeconds: seconds,
    build: () => {
      const { sessionId, ...request } = signedSuccessRequest(settings.webhookSecret);
      return { key: sessionId, ...request };
    },
  });
  for (const id of ids) await api(service, 'DELETE', `/v1/subscriptions/${id}`);
  // Let the dispatchers of deleted subscriptions notice and stop before the next run.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  return stats;
}

async function intakeScenarios(service, receivers) {
  console.log(`\nintake with push subscriptions active: autocannon ${settings.connections} connections, ${settings.duration} s per run`);
  await intakeRun(service, receivers, 0, settings.warmup);
  const results = { 0: [], 1: [], 10: [] };
  for (let round = 0; round < settings.rounds; round += 1) {
    for (const n of [0, 1, 10]) {
      const stats = await intakeRun(service, receivers, n, settings.duration);
      results[n].push(stats);
      console.log(
        `  round ${round + 1}, ${String(n).padStart(2)} subscriptions: ${fixed(stats.requestsPerSecond, 0)} req/s, p99 ${stats.p99} ms, non-2xx ${stats.non2xx}`,
      );
    }
  }
  const rate = (n) => mean(results[n].map((s) => s.requestsPerSecond));
  console.log(
    grid(
      ['subscriptions', 'intake req/s (mean)', 'against none'],
      [0, 1, 10].map((n) => [String(n), fixed(rate(n), 0), fixed(rate(n) / rate(0), 2)]),
    ),
  );
}

async function main() {
  mkdirSync(settings.logDir, { recursive: true });
  buildService(settings);
  const server = await openServer(settings);
  const name = `suki_bench_push_${Date.now()}`;
  await createDatabase(server, name);
  const tls = selfSignedCertificate(settings.logDir);
  const receivers = await startReceivers(tls);
  const serviceSettings = {
    ...settings,
    serviceEnv: {
      RETRIEVAL_ENABLED: 'false',
      INTERNAL_API_CLIENTS: `bench:read+admin:${ADMIN}`,
      PUSH_ALLOWED_HOSTS: '127.0.0.1',
      PUSH_SECRET_KEY: 'bench-push-secret-key-not-for-production',
      NODE_EXTRA_CA_CERTS: tls.certFile,
      ...settings.serviceEnv,
    },
  };
  let service;
  try {
    service = await startService(serviceSettings, { databaseUrl: server.urlFor(name), sukiApiUrl: 'http://127.0.0.1:9' });
    console.log(`push benchmark: database ${server.kind}; logs in ${settings.logDir}`);
    const complete = await deliveryScenarios(service, receivers);
    await intakeScenarios(service, receivers);
    return complete ? 0 : 1;
  } finally {
    await service?.stop().catch(() => undefined);
    await receivers.close();
    if (!settings.keepDatabase) await dropDatabase(server, name).catch(() => undefined);
    await server.stop();
  }
}

runIfMain(module, main);
