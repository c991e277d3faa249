'use strict';
// node bench/feed-intake-cost.js — what the change feed's triggers cost intake in the database.
// Calls ingest_notifications() with batches of 8 unique successes (six links, one known
// sibling), one transaction per batch as intake commits them, from 2 connections at once, on a
// fresh migrated database; rounds alternate triggers on and off (ALTER TABLE … DISABLE TRIGGER
// USER), A B A B, so that machine load falls on both alike. Needs dist/ (npm run build).
// FEED_COST_NOTIFY=0 drops the NOTIFY from record_event() in that database, to see its share.
const { randomUUID } = require('node:crypto');
const { join } = require('node:path');
const { Client } = require('pg');
const settings = require('./lib/settings');
const { openServer, createDatabase, dropDatabase } = require('./lib/database');
const { runIfMain } = require('./lib/context');

const BATCHES = Number(process.env.FEED_COST_BATCHES || 400);
const ROUNDS = Number(process.env.FEED_COST_ROUNDS || 3);
const LINKS = ['contents', 'encounter_content', 'structured_data', 'encounter_structured_data', 'transcripts'];

let arrival = BigInt(Date.now()) * 1000n;
function record() {
  const sessionId = randomUUID();
  const encounterId = randomUUID();
  const body = Buffer.from(JSON.stringify({ session_id: sessionId, encounter_id: encounterId, status: 'success', r: randomUUID() }));
  arrival += 1n;
  return {
    arrival: arrival.toString(),
    rawBody: body.toString('base64'),
    generatedAtMs: String(Date.now()),
    receivedAt: new Date().toISOString(),
    sessionId,
    encounterId,
    vendorStatus: 'success',
    rejectReason: null,
    sessionStatus: 'completed',
    errorCode: null,
    errorDetail: null,
    additionalInfo: { priority: 'high' },
    links: {},
    knownSessions: [randomUUID()],
    artifacts: LINKS.map((kind) => {
      const encounterLevel = kind.startsWith('encounter_');
      return {
        kind,
        ownerId: encounterLevel ? encounterId : sessionId,
        sessionId: encounterLevel ? null : sessionId,
        href: `/x/${kind}`,
        refusal: null,
      };
    }),
  };
}

async function round(clients, perClient) {
  const started = process.hrtime.bigint();
  await Promise.all(
    clients.map(async (client) => {
      for (let i = 0; i < perClient; i += 1) {
        const batch = JSON.stringify(Array.from({ length: 8 }, record));
        await client.query('SELECT count(*) FROM ingest_notifications($1::jsonb)', [batch]);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return (clients.length * perClient * 8) / seconds;
}

async function main() {
  const server = await openServer(settings);
  const name = `suki_bench_feedcost_${Date.now()}`;
  await createDatabase(server, name);
  const url = server.urlFor(name);
  try {
    const { applyMigrations } = require(join(settings.repoRoot, 'dist/database/migrator.js'));
    await applyMigrations(url);
    const clients = [new Client({ connectionString: url }), new Client({ connectionString: url })];
    await Promise.all(clients.map((client) => client.connect()));
    const toggle = (on) =>
      clients[0].query(
        `ALTER TABLE sessions ${on ? 'ENABLE' : 'DISABLE'} TRIGGER USER; ALTER TABLE artifacts ${on ? 'ENABLE' : 'DISABLE'} TRIGGER USER`,
      );
    if (process.env.FEED_COST_NOTIFY === '0') {
      // Only to measure what the NOTIFY costs: events written, nobody woken.
      await clients[0].query(`CREATE OR REPLACE FUNCTION record_event(event_type text, session text, encounter text,
          session_status "SessionStatus", artifact_kind "ArtifactKind") RETURNS void LANGUAGE sql AS $$
        INSERT INTO events (type, session_id, encounter_id, status, kind) VALUES (event_type, session, encounter, session_status, artifact_kind) $$`);
    }
    await round(clients, 50); // warm-up
    const results = { on: [], off: [] };
    for (let r = 0; r < ROUNDS; r += 1) {
      for (const on of [true, false]) {
        await toggle(on);
        results[on ? 'on' : 'off'].push(await round(clients, BATCHES / 2));
      }
    }
    await Promise.all(clients.map((client) => client.end()));
    const fmt = (values) => values.map((v) => v.toFixed(0)).join(' / ');
    const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
    console.log(`notifications/s through ingest_notifications (batches of 8, 2 connections, ${BATCHES} batches per round)`);
    console.log(`  events written (triggers on):  ${fmt(results.on)}`);
    console.log(`  no events (triggers off):      ${fmt(results.off)}`);
    console.log(`  ratio on/off: ${(mean(results.on) / mean(results.off)).toFixed(3)}`);
    return 0;
  } finally {
    await dropDatabase(server, name).catch(() => undefined);
    await server.stop();
  }
}

runIfMain(module, main);
