/**
 * JSON text that jsonb accepts. PostgreSQL cannot store U+0000 or unpaired surrogates, which
 * a vendor's JSON may still carry (as \u escapes); each becomes U+FFFD, in values and in keys,
 * rather than making the whole answer unstorable and the artifact impossible to complete.
 */
export function storableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'string') return clean(item);
    if (item && typeof item === 'object' && !Array.isArray(item)) {
      const entries = Object.entries(item as Record<string, unknown>);
      if (entries.some(([key]) => clean(key) !== key)) return Object.fromEntries(entries.map(([key, v]) => [clean(key), v]));
    }
    return item;
  });
}

function clean(text: string): string {
  return text.toWellFormed().replaceAll('\u0000', '\uFFFD');
}
