'use strict';
// The lookup floor: node:http, a constant-time bearer-token check, one primary-key SELECT
// through pg (pool of 10, like the service), the row as camelCase JSON.
// Env: PORT, DATABASE_URL, INTERNAL_TOKEN.
const http = require('node:http');
const { timingSafeEqual } = require('node:crypto');
const { Pool } = require('pg');

const expected = Buffer.from(`Bearer ${process.env.INTERNAL_TOKEN}`);
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
pool.on('error', () => undefined);
const PREFIX = '/v1/sessions/';

function authorized(header) {
  const given = Buffer.from(typeof header === 'string' ? header : '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function answer(res, status, payload) {
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function toOutput(row) {
  return {
    sessionId: row.id,
    encounterId: row.encounter_id,
    status: row.status,
    errorCode: row.error_code,
    errorDetail: row.error_detail,
    additionalInfo: row.additional_info,
    lastEventAt: row.last_event_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const server = http.createServer((req, res) => {
  req.resume();
  if (req.method !== 'GET' || !req.url.startsWith(PREFIX)) return answer(res, 404, { statusCode: 404 });
  if (!authorized(req.headers.authorization)) return answer(res, 401, { statusCode: 401 });
  const id = decodeURIComponent(req.url.slice(PREFIX.length));
  pool.query('SELECT * FROM sessions WHERE id = $1', [id]).then(
    ({ rows }) => (rows.length === 1 ? answer(res, 200, toOutput(rows[0])) : answer(res, 404, { statusCode: 404 })),
    () => answer(res, 503, { statusCode: 503 }),
  );
});

server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
