'use strict';
// Waiting for the service's background retrieval between runs, so one run's leftover work
// does not steal CPU from the next (the floor's especially).
const { setTimeout: sleep } = require('node:timers/promises');
const { withClient } = require('./database');

async function pendingArtifacts(client) {
  try {
    const { rows } = await client.query("SELECT count(*)::int AS n FROM artifacts WHERE status = 'pending'");
    return rows[0].n;
  } catch {
    return undefined; // no artifacts table: nothing to wait for
  }
}

/**
 * Waits until no artifact is pending, for at most `timeoutSeconds`; gives up sooner when the
 * count has not gone down for `stallSeconds` (no retrieval worker in this build, or it is stuck).
 * Returns { pending, seconds, reason, progressed }: reason is 'drained', 'stalled' or 'timeout';
 * progressed tells whether the pending count went down at all.
 */
function drainRetrieval(databaseUrl, { timeoutSeconds, stallSeconds }) {
  return withClient(databaseUrl, async (client) => {
    const started = Date.now();
    let first;
    let lowest = Infinity;
    let lastProgress = started;
    for (;;) {
      const pending = await pendingArtifacts(client);
      const seconds = (Date.now() - started) / 1000;
      if (!pending) return { pending: pending ?? 0, seconds, reason: 'drained', progressed: true };
      first ??= pending;
      if (pending < lowest) {
        lowest = pending;
        lastProgress = Date.now();
      }
      const progressed = lowest < first;
      if (Date.now() - lastProgress > stallSeconds * 1000) return { pending, seconds, reason: 'stalled', progressed };
      if (seconds > timeoutSeconds) return { pending, seconds, reason: 'timeout', progressed };
      await sleep(250);
    }
  });
}

function describeDrain(drain) {
  const seconds = drain.seconds.toFixed(1);
  if (drain.reason === 'drained') return `retrieval drained in ${seconds} s`;
  if (drain.reason === 'stalled')
    return `retrieval NOT draining: ${drain.pending} artifacts still pending, no progress for a while (no worker?) — gave up after ${seconds} s`;
  return `retrieval drain timed out after ${seconds} s with ${drain.pending} artifacts pending`;
}

module.exports = { drainRetrieval, describeDrain };
