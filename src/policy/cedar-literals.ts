// Escaping for the two kinds of Cedar literal the rule compiler emits. Cedar string escapes are
// Rust-like: `\"`, `\\`, `\u{..}`; inside a `like` pattern `\*` is a literal star and a bare `*`
// is the wildcard, so values must have their stars escaped there (and only there: `\*` is an
// invalid escape in an ordinary string).

function escapeChars(value: string, escapeStar: boolean): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    // for-of yields a lone surrogate on its own; Cedar (Rust strings) cannot represent it.
    if (code >= 0xd800 && code <= 0xdfff) throw new TypeError('string contains a lone surrogate');
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (escapeStar && ch === '*') out += '\\*';
    else if (code < 0x20 || code === 0x7f) out += `\\u{${code.toString(16)}}`;
    else out += ch;
  }
  return out;
}

/** A Cedar string literal (with quotes) equal to `value`. Throws TypeError on a lone surrogate. */
export function cedarString(value: string): string {
  return `"${escapeChars(value, false)}"`;
}

/** A Cedar `like` pattern (with quotes) matching `prefix` literally, then anything if `wildcard`. */
export function cedarLike(prefix: string, wildcard: boolean): string {
  return `"${escapeChars(prefix, true)}${wildcard ? '*' : ''}"`;
}

/** A Cedar set literal of strings; callers never pass an empty list (strict validation refuses `[]`). */
export function cedarStringSet(values: readonly string[]): string {
  return `[${values.map(cedarString).join(', ')}]`;
}
