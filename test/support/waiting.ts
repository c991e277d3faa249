/**
 * The tests' one polling loop: they wait on a condition, never for a fixed time. Both forms
 * below are this loop; the modules that used to carry their own (retrieval.support.ts,
 * push-receiver.ts, spool-scenario.ts) re-export or wrap it.
 */

/**
 * Probes every `everyMs` until `done` holds or `timeoutMs` passed, and returns the last value
 * seen, so that the test's own assertion reports what was there when waiting ended.
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
  everyMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Polls `condition` until it holds, failing with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000, everyMs = 50): Promise<void> {
  if (!(await eventually(condition, (met) => met, timeoutMs, everyMs)))
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
