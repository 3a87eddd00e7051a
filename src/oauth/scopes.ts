import { invalidScope } from './oauth-error.ts';

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/; // RFC 6749 §3.3

/** Parses a `scope` parameter (space-delimited, RFC 6749 §3.3); undefined when absent. Throws invalid_scope. */
export function parseScope(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const parts = raw.split(' ');
  if (parts.some((p) => !SCOPE_TOKEN.test(p))) throw invalidScope('scope must be space-separated scope tokens (single spaces, no quotes or backslashes)');
  return [...new Set(parts)].sort();
}

/** The scopes in every one of the sets (undefined sets do not restrict). Sorted. */
export function intersectScopes(...sets: ReadonlyArray<readonly string[] | undefined>): string[] {
  const present = sets.filter((s): s is readonly string[] => s !== undefined);
  if (present.length === 0) return [];
  const [first, ...rest] = present;
  return [...new Set(first)].filter((s) => rest.every((r) => r.includes(s))).sort();
}

/**
 * Grants exactly the requested scopes when every one is allowed, or all allowed ones when none was
 * requested. Asking for one that is not allowed is an error, never silently narrowed (RFC 6749 §3.3
 * permits narrowing, but an agent that asked for `write` must learn it did not get it).
 */
export function grantScopes(requested: readonly string[] | undefined, allowed: readonly string[]): string[] {
  if (requested === undefined) return [...allowed].sort();
  const missing = requested.filter((s) => !allowed.includes(s));
  if (missing.length > 0) throw invalidScope(`scope not allowed: ${missing.join(' ')}`);
  return [...requested].sort();
}
