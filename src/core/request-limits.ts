/** Headers that ask a server to treat the request as another method (SECURITY-CASES 37). */
export const METHOD_OVERRIDE_HEADERS: readonly string[] = ['x-http-method-override', 'x-method-override', 'x-http-method'];

/**
 * The value of the first method-override header (any case), or `undefined` when there is none.
 * The gateway rejects such requests (400 `method_override_rejected`) instead of ignoring them.
 * Compare with `undefined`: an empty value is still an attempt and is returned as `''`.
 */
export function methodOverrideAttempt(rawHeaders: readonly string[]): string | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    // `_` counts as `-`: CGI-style upstreams (WSGI, Rack, PHP) read X_HTTP_Method_Override as the same header.
    const name = (rawHeaders[i] ?? '').toLowerCase().replace(/_/g, '-');
    if (METHOD_OVERRIDE_HEADERS.includes(name)) return rawHeaders[i + 1] ?? '';
  }
  return undefined;
}
