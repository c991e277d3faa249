/**
 * What may be a Suki session or encounter id. One rule for intake (which refuses an unusable
 * id with 400, keeping the body verbatim), the path ids and filters of the query API (such an
 * id can never be stored, so it is simply unknown) and list cursors.
 *
 * Ids are kept exactly as sent: never trimmed or normalised, so `" a"` and `"a"` are two ids
 * and `GET` with the id Suki sent finds what Suki sent. Refused instead of changed: control
 * characters (Unicode Cc, which includes NUL — PostgreSQL text cannot hold it — and U+0085),
 * format characters (Cf: U+FEFF, zero-width and bidi controls such as U+202E), the line and
 * paragraph separators U+2028/U+2029, unpaired surrogates (not storable as text), ids made of
 * white space only, ids longer than 255 UTF-16 units, and the dot segments `.` and `..`: escaped
 * or not, a URL parser resolves them, so `/session/../status` would call another of Suki's
 * endpoints with our token.
 */
export const MAX_ID_LENGTH = 255;

const FORBIDDEN_IN_ID = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
const ONLY_WHITE_SPACE = /^\p{White_Space}*$/u;

/** `.` or `..`: a path segment every URL parser removes or resolves, whatever escaping is applied. */
export function isDotSegment(value: unknown): boolean {
  return value === '.' || value === '..';
}

export function isUsableId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_ID_LENGTH &&
    value.isWellFormed() &&
    !FORBIDDEN_IN_ID.test(value) &&
    !ONLY_WHITE_SPACE.test(value) &&
    !isDotSegment(value)
  );
}
