/** What a query string may not carry: credentials (they leak into logs) or a method override. */
export interface QueryFindings {
  credential: boolean;
  methodOverride: boolean;
}

// OAuth names too: RFC 6749 §2.3.1 forbids client credentials in the request URI.
const CREDENTIAL_NAME = /^((x[_-]?)?(api[_-]?key|access[_-]?token)|client[_-]?secret|client[_-]?assertion|subject[_-]?token|actor[_-]?token)$/i;
// Rails/Laravel-style `_method=DELETE` and header names used as parameters.
const OVERRIDE_NAME = /^(_method|x[_-]http[_-]method([_-]override)?|x[_-]method[_-]override)$/i;

/** Scans `a=b&c=d` once: parameter names are matched after decoding, values for the key prefix. */
export function scanQuery(query: string): QueryFindings {
  const found: QueryFindings = { credential: false, methodOverride: false };
  if (query === '') return found;
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    const name = decode(eq === -1 ? part : part.slice(0, eq));
    const value = decode(eq === -1 ? '' : part.slice(eq + 1));
    if (CREDENTIAL_NAME.test(name) || value.includes('gth_') || value.includes('gcs_')) found.credential = true;
    if (OVERRIDE_NAME.test(name)) found.methodOverride = true;
  }
  return found;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s; // undecodable: judge the raw text
  }
}
