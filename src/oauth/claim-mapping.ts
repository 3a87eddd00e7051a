import type { ClaimMappingRule } from '../core/types.ts';

/**
 * The agent a verified external assertion maps to: the first rule whose every claim matches.
 * Values match exactly; a value ending in `*` matches that prefix (so `repo:acme/app:*`). Claims
 * that are not strings never match: an array or object cannot smuggle a wildcard match.
 */
export function mapAssertionToAgent(rules: readonly ClaimMappingRule[], claims: Readonly<Record<string, unknown>>): string | undefined {
  for (const rule of rules) {
    const entries = Object.entries(rule.claims);
    if (entries.length === 0) continue; // a rule with no conditions would map everyone: never
    if (entries.every(([name, want]) => matches(claims[name], want))) return rule.agent;
  }
  return undefined;
}

function matches(value: unknown, want: string): boolean {
  if (typeof value !== 'string') return false;
  if (want.endsWith('*')) return value.startsWith(want.slice(0, -1));
  return value === want;
}
