'use strict';
// Unique, correctly signed success notifications, shaped like Suki's signed success example:
// every request carries fresh session and encounter ids and all six `_links` with relative hrefs.
const { createHmac, randomUUID } = require('node:crypto');

const LINK_PATHS = {
  contents: (s) => `/api/v1/ambient/session/${s}/content`,
  encounter_content: (_s, e) => `/api/v1/ambient/encounter/${e}/content`,
  structured_data: (s) => `/api/v1/ambient/session/${s}/structured-data`,
  encounter_structured_data: (_s, e) => `/api/v1/ambient/encounter/${e}/structured-data`,
  status: (s) => `/api/v1/ambient/session/${s}/status`,
  transcripts: (s) => `/api/v1/ambient/session/${s}/transcript`,
};

function sign(rawBody, generatedAt, secret) {
  return createHmac('sha256', secret).update(generatedAt, 'utf8').update(':', 'utf8').update(rawBody).digest('hex');
}

function successBody(sessionId, encounterId) {
  const links = {};
  for (const [kind, path] of Object.entries(LINK_PATHS)) {
    links[kind] = [{ href: path(sessionId, encounterId), method: 'GET', name: kind, type: 'application/json' }];
  }
  return JSON.stringify({
    _links: links,
    additional_info: { priority: 'high' },
    encounter_id: encounterId,
    session_id: sessionId,
    sessions: [sessionId],
    status: 'success',
  });
}

/** A request for autocannon: POST /webhooks/notification, signed now, with its session id. */
function signedSuccessRequest(secret) {
  const sessionId = randomUUID();
  const body = Buffer.from(successBody(sessionId, randomUUID()));
  const generatedAt = String(Date.now());
  return {
    sessionId,
    method: 'POST',
    path: '/webhooks/notification',
    headers: {
      'content-type': 'application/json',
      'generated-at': generatedAt,
      'x-api-key': sign(body, generatedAt, secret),
    },
    body,
  };
}

module.exports = { sign, signedSuccessRequest, LINK_PATHS };
