'use strict';
// npm run bench:feed — does a consumer that follows changes miss acknowledged notifications?
//
// Two replicas of the service (dist/main.js, production) on one fresh database; 8 writers post
// unique signed success notifications across both for FEED_BENCH_SECONDS (15). Meanwhile two
// consumers follow: one the README's old way (walk GET /v1/sessions, then walk again with
// updatedSince = the previous walk's start), one GET /v1/events from its cursor (long-poll).
// Afterwards each acknowledged session must have been seen by each consumer.
// Then 100,000 events are written at once, and one consumer catches up on them from its cursor:
// catch-up time and events/s delivered to one consumer.
const { mkdirSync } = require('node:fs');
const { Client } = require('pg');
const settings = require('./lib/settings');
const { openServer, createDatabase, dropDatabase } = require('./lib/database');
const { buildService, startService } = require('./lib/service');
const { signedSuccessRequest } = require('./lib/notifications');
const { runIfMain } = require('./lib/context');

const SECONDS = Number(process.env.FEED_BENCH_SECONDS || 15);
const WRITERS = Number(process.env.FEED_BENCH_WRITERS || 8);
const CATCH_UP_EVENTS = Number(process.env.FEED_BENCH_CATCH_UP || 100_000);

const auth = { authorization: `Bearer ${settings.internalToken}` };
const getJson = async (url) => {
  const response = await fetch(url, { headers: auth });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return response.json();
};

async function writer(replicas, index, until, acknowledged) {
  for (let n = 0; Date.now() < until; n += 1) {
    const { sessionId, method, path, headers, body } = signedSuccessRequest(settings.webhookSecret);
    const response = await fetch(`${replicas[(index + n) % replicas.length].url}${path}`, { method, headers, body });
    await response.text();
    if (response.ok) acknowledged.add(sessionId);
  }
}

/** The pattern the README used to suggest: walk the list, then walk again from the last walk's start. */
async function walker(url, stop, seen) {
  let since;
  let walks = 0;
  for (let last = false; !last;) {
    last = stop.done;
    const started = new Date().toISOString();
    let cursor;
    do {
      const query = `limit=200${since ? `&updatedSince=${since}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await getJson(`${url}/v1/sessions?${query}`);
      for (const item of page.items) if (item.status === 'completed') seen.add(item.sessionId);
      cursor = page.nextCursor;
    } while (cursor);
    since = started;
    walks += 1;
  }
  return walks;
}

/** The feed, from its cursor, long-polling. */
async function follower(url, after, stop, seen) {
  let cursor = after;
  let reads = 0;
  for (;;) {
    const page = await getJson(`${url}/v1/events?after=${encodeURIComponent(cursor)}&limit=1000&waitSeconds=1&types=session.completed`);
    reads += 1;
    for (const item of page.items) seen.add(item.sessionId);
    cursor = page.nextCursor;
    if (stop.done && page.items.length === 0) return { reads, cursor };
  }
}

async function settled(databaseUrl) {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (;;) {
      const { rows } = await client.query(
        `SELECT COALESCE(max(xid) < (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint, true) AS done FROM events`,
      );
      if (rows[0].done) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await client.end();
  }
}

async function catchUp(url, databaseUrl, from) {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(
    `INSERT INTO events (type, session_id, encounter_id, status)
     SELECT 'session.pending', 'catch-up-' || i, 'catch-up-encounter', 'pending' FROM generate_series(1, $1::int) AS i`,
    [CATCH_UP_EVENTS],
  );
  await client.end();
  await settled(databaseUrl);
  const started = process.hrtime.bigint();
  let cursor = from;
  let count = 0;
  for (;;) {
    const page = await getJson(`${url}/v1/events?after=${encodeURIComponent(cursor)}&limit=1000`);
    count += page.items.length;
    cursor = page.nextCursor;
    if (page.items.length === 0) break;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { count, seconds };
}

async function main() {
  mkdirSync(settings.logDir, { recursive: true });
  buildService(settings);
  const server = await openServer(settings);
  const name = `suki_bench_feed_${Date.now()}`;
  await createDatabase(server, name);
  const databaseUrl = server.urlFor(name);
  const serviceSettings = { ...settings, serviceEnv: { RETRIEVAL_ENABLED: 'false', ...settings.serviceEnv } };
  const replicas = [];
  try {
    replicas.push(await startService(serviceSettings, { databaseUrl, sukiApiUrl: 'http://127.0.0.1:9', name: 'replica-a' }));
    replicas.push(await startService(serviceSettings, { databaseUrl, sukiApiUrl: 'http://127.0.0.1:9', name: 'replica-b' }));
    console.log(
      `feed benchmark: ${WRITERS} writers for ${SECONDS} s across 2 replicas, database ${server.kind}; logs in ${settings.logDir}`,
    );

    const acknowledged = new Set();
    const walked = new Set();
    const followed = new Set();
    const stop = { done: false };
    const start = (await getJson(`${replicas[0].url}/v1/events?after=now`)).nextCursor;
    const walking = walker(replicas[1].url, stop, walked);
    const following = follower(replicas[0].url, start, stop, followed);
    const until = Date.now() + SECONDS * 1000;
    await Promise.all(Array.from({ length: WRITERS }, (_, index) => writer(replicas, index, until, acknowledged)));
    // Both consumers get one more look after the last write has committed.
    await settled(databaseUrl);
    stop.done = true;
    const walks = await walking;
    const { reads, cursor } = await following;

    const missed = (seen) => [...acknowledged].filter((id) => !seen.has(id)).length;
    const pct = (n) => `${((100 * n) / acknowledged.size).toFixed(1)} %`;
    console.log(`acknowledged sessions: ${acknowledged.size} (${(acknowledged.size / SECONDS).toFixed(0)}/s)`);
    console.log(`walk /v1/sessions + updatedSince (${walks} walks): missed ${missed(walked)} (${pct(missed(walked))})`);
    console.log(`follow /v1/events from cursor (${reads} reads):    missed ${missed(followed)} (${pct(missed(followed))})`);

    const { count, seconds } = await catchUp(replicas[0].url, databaseUrl, cursor);
    console.log(
      `catch-up: ${count} events behind, read in ${seconds.toFixed(2)} s (${(count / seconds).toFixed(0)} events/s to one consumer, limit=1000)`,
    );
    return missed(followed) === 0 && count === CATCH_UP_EVENTS ? 0 : 1;
  } finally {
    for (const replica of replicas.reverse()) await replica.stop().catch(() => undefined);
    if (!settings.keepDatabase) await dropDatabase(server, name).catch(() => undefined);
    await server.stop();
  }
}

runIfMain(module, main);
