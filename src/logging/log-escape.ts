/**
 * Characters a log line must not carry raw. JSON escapes only C0 controls, `"` and `\`; the
 * rest below reaches a terminal or log viewer as it is: DEL and the C1 controls (a raw 0x85 in
 * a header arrives as U+0085, which some tools treat as a newline), format characters (bidi
 * overrides such as U+202E that make a line read differently than it is, zero-width ones,
 * U+FEFF) and the line and paragraph separators U+2028/U+2029.
 */
// C0 controls are left out: JSON already escapes them, and the line ends in a raw newline.
const NON_PRINTING = /[\u007f-\u009f\p{Cf}\u2028\u2029]/gu;

/**
 * Escapes them as \uXXXX in a serialised JSON line, which stays the same JSON value: applied to
 * the whole line, so every value (message, header, id, key) is covered without each caller
 * remembering to. Lines without such characters (nearly all) are returned untouched.
 */
export function escapeNonPrinting(line: string): string {
  NON_PRINTING.lastIndex = 0;
  if (!NON_PRINTING.test(line)) return line;
  return line.replace(NON_PRINTING, (character) => {
    let escaped = '';
    for (let i = 0; i < character.length; i += 1) escaped += `\\u${character.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return escaped;
  });
}
