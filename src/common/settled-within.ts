/**
 * Waits for `work` to settle, but no longer than `ms`, and leaves no timer behind either way:
 * for shutdown hooks that must not hold the process open past their own bound.
 */
export async function settledWithin(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([work?.catch(() => undefined), bound]);
  } finally {
    clearTimeout(timer);
  }
}
