'use strict';
// npm run bench:seed — the lookup benchmark's database: BENCH_SESSIONS (default one million)
// completed sessions, one encounter each, and some of their artifacts, written straight in SQL
// (generate_series), not through HTTP. Ids are deterministic (an md5-based UUID of the row
// number), so the load generator can name random existing sessions without reading them back.
// The database is kept and reused while its row count matches; migrations added since are
// applied to it (by the service at start), as they would be to production data.
const { createHash } = require('node:crypto');
const { join } = require('node:path');
const settings = require('./lib/settings');
const { openServer, createDatabase, dropDatabase, databaseExists, withClient } = require('./lib/database');
const { buildService } = require('./lib/service');

/** The UUID-shaped id of row `i` of `tag` ('s' sessions, 'e' encounters); same as SQL below. */
function benchId(tag, i) {
  const h = createHash('md5').update(`${tag}${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

// A single expression, so PostgreSQL inlines it (a SQL function with a FROM clause is called per row).
const ID_FUNCTION = `
CREATE FUNCTION pg_temp.bench_id(tag text, i bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT md5(tag || i::text)::uuid::text
$$`;

// Row i was last updated i seconds after the start of an imaginary history, so lists have an order.
const ROWS = `FROM generate_series(1, $1::bigint) AS i,
  LATERAL (SELECT pg_temp.bench_id('s', i) AS s, pg_temp.bench_id('e', i) AS e, now() - ($1::bigint - i) * interval '1 second' AS at) r`;

// The `_links` a success carries (as in Suki's signed success example), built as text: far cheaper than jsonb_build_object.
const LINK = (kind, owner, path) =>
  `'"${kind}":[{"href":"/api/v1/ambient/${owner === 's' ? 'session' : 'encounter'}/' || ${owner} || '${path}","method":"GET","name":"${kind}","type":"application/json"}]'`;
const LINKS = [
  LINK('contents', 's', '/content'),
  LINK('encounter_content', 'e', '/content'),
  LINK('structured_data', 's', '/structured-data'),
  LINK('encounter_structured_data', 'e', '/structured-data'),
  LINK('status', 's', '/status'),
  LINK('transcripts', 's', '/transcript'),
].join(" || ',' || ");

const ARTIFACT_COLUMNS =
  'kind, owner_id, session_id, encounter_id, status, href, attempts, next_attempt_at, requested_at, fetched_at, data, created_at, updated_at';
const artifact = (kind, path, data, where = '') =>
  `INSERT INTO artifacts (${ARTIFACT_COLUMNS})
   SELECT '${kind}', s, s, e, 'ready', '/api/v1/ambient/session/' || s || '${path}', 1, NULL, at, at, '${data}'::jsonb, at, at ${ROWS} ${where}`;

/** Every session completed with its note ready; every fourth also has structured data and a transcript. */
const STEPS = [
  ['encounters', `INSERT INTO encounters (id, status, last_event_at, created_at, updated_at) SELECT e, 'completed', at, at, at ${ROWS}`],
  [
    'sessions',
    `INSERT INTO sessions (id, encounter_id, status, vendor_status, additional_info, links, last_event_at, source, created_at, updated_at)
     SELECT s, e, 'completed', 'success', '{"priority":"high"}', ('{' || ${LINKS} || '}')::jsonb, at, 'notification', at, at ${ROWS}`,
  ],
  [
    'artifacts (contents)',
    artifact(
      'contents',
      '/content',
      '{"summary":[{"title":"ASSESSMENT AND PLAN","loinc_code":"18776-5","content":"Seeded note."}],"structured_data":[]}',
    ),
  ],
  [
    'artifacts (structured_data)',
    artifact('structured_data', '/structured-data', '{"structured_data":{"diagnoses":{"values":[]}}}', 'WHERE i % 4 = 0'),
  ],
  [
    'artifacts (transcripts)',
    artifact('transcripts', '/transcript', '{"transcripts":[{"speaker":"PROVIDER","text":"Seeded transcript."}]}', 'WHERE i % 4 = 0'),
  ],
];

const TABLES = ['encounters', 'sessions', 'artifacts'];

/**
 * The keys and indexes of the seeded tables (and foreign keys into them), as DDL to drop them
 * and to build them again. Building an index once over a million rows is many times faster than
 * maintaining it through a million random-UUID inserts.
 */
async function keysAndIndexes(c) {
  const tables = TABLES.map((t) => `'${t}'::regclass`).join(', ');
  const constraints = await c.query(
    `SELECT conrelid::regclass::text AS tbl, conname, contype, pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE contype IN ('p', 'u', 'f') AND (conrelid IN (${tables}) OR confrelid IN (${tables}))`,
  );
  const indexes = await c.query(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
      WHERE i.indrelid IN (${tables}) AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`,
  );
  const foreign = constraints.rows.filter((k) => k.contype === 'f');
  const keys = constraints.rows.filter((k) => k.contype !== 'f');
  const alter = (k, action) => `ALTER TABLE ${k.tbl} ${action} CONSTRAINT "${k.conname}"${action === 'ADD' ? ` ${k.def}` : ''}`;
  return {
    drop: [
      ...foreign.map((k) => alter(k, 'DROP')),
      ...keys.map((k) => alter(k, 'DROP')),
      ...indexes.rows.map((i) => `DROP INDEX ${i.name}`),
    ],
    build: [...keys.map((k) => alter(k, 'ADD')), ...indexes.rows.map((i) => i.def), ...foreign.map((k) => alter(k, 'ADD'))],
  };
}

async function timed(label, work) {
  const started = Date.now();
  const result = await work();
  console.log(`  ${label}${result === undefined ? '' : `: ${result} rows`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The marker a finished seed leaves; absent after a failed or interrupted one. */
function seedInfo(url) {
  return withClient(url, async (c) => {
    const { rows } = await c.query('SELECT sessions::bigint AS sessions FROM bench_seed').catch(() => ({ rows: [] }));
    return rows[0];
  });
}

async function seed(url, sessions) {
  const { applyMigrations } = require(join(settings.repoRoot, 'dist/database/migrator.js'));
  await applyMigrations(url);
  await withClient(url, async (c) => {
    await c.query("SET maintenance_work_mem = '256MB'");
    await c.query(ID_FUNCTION);
    await c.query('BEGIN');
    const ddl = await keysAndIndexes(c);
    for (const statement of ddl.drop) await c.query(statement);
    for (const [name, sql] of STEPS) await timed(name, async () => (await c.query(sql, [sessions])).rowCount);
    await timed(`keys and indexes (${ddl.build.length})`, async () => {
      for (const statement of ddl.build) await c.query(statement);
    });
    await c.query('CREATE TABLE bench_seed (sessions bigint NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())');
    await c.query('INSERT INTO bench_seed (sessions) VALUES ($1)', [sessions]);
    await c.query('COMMIT');
    await timed('vacuum analyze', () => c.query('VACUUM ANALYZE encounters, sessions, artifacts').then(() => undefined));
  });
}

/** Returns the seeded database's URL, seeding it first when missing, stale or BENCH_RESEED=1. */
async function ensureSeeded(pg) {
  const name = settings.lookupDatabase;
  const url = pg.urlFor(name);
  const sessions = settings.lookupSessions;
  if (!settings.reseed && (await databaseExists(pg, name))) {
    const info = await seedInfo(url);
    if (info && Number(info.sessions) === sessions) {
      console.log(`reusing ${name}: ${sessions} sessions seeded earlier (BENCH_RESEED=1 to seed again)`);
      return url;
    }
  }
  console.log(`seeding ${name} with ${sessions} sessions …`);
  const started = Date.now();
  await dropDatabase(pg, name);
  await createDatabase(pg, name);
  await seed(url, sessions);
  console.log(`seeded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return url;
}

async function main() {
  buildService(settings);
  const pg = await openServer(settings);
  try {
    await ensureSeeded(pg);
  } finally {
    await pg.stop();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error instanceof Error ? error.stack : error);
      process.exit(1);
    },
  );
}

module.exports = { ensureSeeded, benchId };
