'use strict';
// The intake floor: the least a correct receiver must do per notification on this stack.
// node:http, the same signature check as the service (tolerance window, hex HMAC-SHA256 over
// generated-at ":" raw body, constant-time compare), then one INSERT … ON CONFLICT DO NOTHING
// through pg (a pool of 10, like the service) and a 200 only after that commit.
// Env: PORT, DATABASE_URL, WEBHOOK_SECRET.
const http = require('node:http');
const { createHmac, timingSafeEqual } = require('node:crypto');
const { Pool } = require('pg');

const secret = process.env.WEBHOOK_SECRET;
const TOLERANCE_MS = 300_000;
const MAX_BODY_BYTES = 1_048_576;
const DIGITS = /^\d{1,15}$/;
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const INSERT = 'INSERT INTO floor_deliveries (body_sha256, generated_at, raw_body) VALUES (sha256($1), $2, $1) ON CONFLICT DO NOTHING';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
pool.on('error', () => undefined);

function authentic(body, generatedAt, signature) {
  if (typeof generatedAt !== 'string' || !DIGITS.test(generatedAt)) return false;
  if (typeof signature !== 'string' || !HEX_SHA256.test(signature)) return false;
  if (Math.abs(Date.now() - Number(generatedAt)) > TOLERANCE_MS) return false;
  const expected = createHmac('sha256', secret).update(generatedAt, 'utf8').update(':', 'utf8').update(body).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

function answer(res, status, payload) {
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/webhooks/notification') return answer(res, 404, { statusCode: 404 });
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > MAX_BODY_BYTES) return answer(res, 413, { statusCode: 413 });
    const body = Buffer.concat(chunks);
    if (!authentic(body, req.headers['generated-at'], req.headers['x-api-key'])) return answer(res, 401, { statusCode: 401 });
    pool.query(INSERT, [body, req.headers['generated-at']]).then(
      (result) => answer(res, 200, { outcome: result.rowCount === 1 ? 'applied' : 'duplicate' }),
      () => answer(res, 503, { statusCode: 503 }),
    );
  });
});

pool
  .query(
    'CREATE TABLE IF NOT EXISTS floor_deliveries (body_sha256 bytea NOT NULL, generated_at bigint NOT NULL, raw_body bytea NOT NULL, PRIMARY KEY (body_sha256, generated_at))',
  )
  .then(() => server.listen(Number(process.env.PORT), '127.0.0.1'))
  .catch((error) => {
    process.stderr.write(`floor-intake: ${error.message}\n`);
    process.exit(1);
  });

process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
