'use strict';
// One autocannon run in this process, against a server in another. Every request is built
// fresh by `build()`; `onAnswer` hears which request (by its key) got which answer.
const autocannon = require('autocannon');

/**
 * build() returns { key, method, path, headers, body }. With pipelining 1 a connection has one
 * request in flight, so the per-connection context still names that request when its answer
 * arrives (autocannon resets the context only when it builds the next one).
 */
function runLoad({ url, connections, durationSeconds, build, onAnswer = () => undefined }) {
  const requests = [
    {
      setupRequest(request, context) {
        const { key, ...next } = build();
        context.key = key;
        return { ...request, ...next, headers: { ...request.headers, ...next.headers } };
      },
      onResponse(status, body, context) {
        onAnswer(context.key, status, body);
      },
    },
  ];
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration: durationSeconds, pipelining: 1, timeout: 10, requests }, (error, result) =>
      error ? reject(error) : resolve(summarize(result)),
    );
  });
}

function summarize(result) {
  const answered = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  return {
    requestsPerSecond: answered / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds: result.duration,
  };
}

/** A run against one server child, with its peak resident memory and CPU time during the run. */
async function measure(server, options) {
  const meter = server.meter();
  let usage;
  try {
    const stats = await runLoad({ url: server.url, ...options });
    usage = meter.stop();
    return { stats, ...usage };
  } finally {
    if (!usage) meter.stop();
  }
}

module.exports = { runLoad, measure };
