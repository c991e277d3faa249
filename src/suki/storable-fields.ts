/**
 * Whether a field derived from a notification can be stored in its own column. The raw body is
 * always stored verbatim; a derived field that could not be (PostgreSQL's jsonb refuses an
 * unpaired surrogate, and depth costs every reader's stack) is left out with a reason, which
 * the dispatcher logs and counts, instead of failing the batch it travels in and being dropped
 * silently on the retry.
 */
export const MAX_DERIVED_DEPTH = 1000;

/** Why a JSON value cannot be stored as it is, or undefined when it can. */
export function jsonProblem(value: unknown, maxDepth = MAX_DERIVED_DEPTH): string | undefined {
  // Iterative: a hostile depth must not cost this process its stack either.
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (typeof item === 'string') {
      if (!item.isWellFormed()) return 'holds an unpaired surrogate';
      continue;
    }
    if (typeof item !== 'object' || item === null) continue;
    if (depth > maxDepth) return `nested deeper than ${maxDepth} levels`;
    if (Array.isArray(item)) {
      for (const element of item) pending.push([element, depth + 1]);
      continue;
    }
    for (const [key, element] of Object.entries(item)) {
      if (!key.isWellFormed()) return 'holds an unpaired surrogate';
      pending.push([element, depth + 1]);
    }
  }
  return undefined;
}

/** A text field as it can be stored: unpaired surrogates become U+FFFD, and the change is reported. */
export function storableText(value: string | undefined): { value: string | undefined; changed: boolean } {
  if (value === undefined || value.isWellFormed()) return { value, changed: false };
  return { value: value.toWellFormed(), changed: true };
}
