'use strict';
// A minimal, fast stand-in for Suki's Ambient API, so background retrieval has somewhere to go
// during the benchmark: 200 JSON for any GET under /api/v1/ambient/ with the right
// sdp_suki_token, 401 without it. GET /__stats reports what it served; POST /__outage/on makes
// it answer 503 to every API call until POST /__outage/off (bench/retrieval-outage.js).
// Env: PORT, SUKI_TOKEN, LATENCY_MS (delay of each 200, default 0), SESSION_STATUS (what the
// status endpoint says, default completed; bench/reconcile.js makes every session `running`),
// CONCURRENCY_LIMIT (default 0, none): above that many calls being answered at once, a call is
// answered 429 with Retry-After: RETRY_AFTER_SECONDS (1) at once, as a rate-limiting gateway does
// (bench/time-to-note.js). /__stats counts those as `limited`.
const http = require('node:http');

const token = process.env.SUKI_TOKEN;
const latencyMs = Number(process.env.LATENCY_MS ?? 0);
const concurrencyLimit = Number(process.env.CONCURRENCY_LIMIT ?? 0);
const retryAfterSeconds = process.env.RETRY_AFTER_SECONDS ?? '1';
const served = { ok: 0, unauthorized: 0, notFound: 0, unavailable: 0, limited: 0, active: 0, peakActive: 0 };
let outage = false;

const CONTENT = JSON.stringify({
  summary: [{ title: 'ASSESSMENT AND PLAN', loinc_code: '18776-5', content: 'Benchmark note.', source_transcripts: ['benchmark'] }],
  structured_data: [{ title: 'MEDICATIONS', data: { medication: 'albuterol', dosage: '2 puffs' } }],
});
const STRUCTURED = JSON.stringify({
  structured_data: { diagnoses: { values: [{ codes: [{ code: '30422', description: 'Essential hypertension', type: 'IMO' }] }] } },
});
const TRANSCRIPT = JSON.stringify({
  transcripts: [{ speaker: 'PROVIDER', text: 'Benchmark transcript.', start_offset_ms: 0, end_offset_ms: 1200 }],
});
const STATUS = JSON.stringify({ status: process.env.SESSION_STATUS || 'completed' });

function bodyFor(path) {
  if (path.endsWith('/content')) return CONTENT;
  if (path.endsWith('/structured-data')) return STRUCTURED;
  if (path.endsWith('/transcript')) return TRANSCRIPT;
  if (path.endsWith('/status')) return STATUS;
  return JSON.stringify({});
}

function answer(res, status, text, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const server = http.createServer((req, res) => {
  req.resume();
  const path = req.url.split('?')[0];
  if (req.method === 'GET' && path === '/__stats') return answer(res, 200, JSON.stringify(served));
  if (req.method === 'POST' && (path === '/__outage/on' || path === '/__outage/off')) {
    outage = path.endsWith('/on');
    return answer(res, 200, JSON.stringify({ outage }));
  }
  if (outage) {
    served.unavailable += 1;
    return answer(res, 503, JSON.stringify({ code: 503, message: 'service_unavailable' }));
  }
  if (req.method !== 'GET' || !path.startsWith('/api/v1/ambient/')) {
    served.notFound += 1;
    return answer(res, 404, JSON.stringify({ code: 404, message: 'not_found' }));
  }
  if (req.headers.sdp_suki_token !== token) {
    served.unauthorized += 1;
    return answer(res, 401, JSON.stringify({ code: 401, message: 'invalid_sdp_token' }));
  }
  if (concurrencyLimit > 0 && served.active >= concurrencyLimit) {
    served.limited += 1;
    return answer(res, 429, JSON.stringify({ code: 429, message: 'too_many_requests' }), { 'retry-after': retryAfterSeconds });
  }
  served.ok += 1;
  served.active += 1;
  served.peakActive = Math.max(served.peakActive, served.active);
  // Real Suki takes time to answer; LATENCY_MS makes the fake do so too, so concurrency shows.
  setTimeout(() => {
    served.active -= 1;
    answer(res, 200, bodyFor(path));
  }, latencyMs);
});

server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
