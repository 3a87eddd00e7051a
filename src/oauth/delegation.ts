import { invalidRequest, OAuthError } from './oauth-error.ts';

/** RFC 8693 §4.1 `act`: the current actor, with prior actors nested inside. */
export interface ActClaim {
  sub: string;
  act?: ActClaim;
}

/** The actors of a chain, most recent first. */
export function actorsOf(act: ActClaim | undefined): string[] {
  const out: string[] = [];
  for (let a = act; a !== undefined; a = a.act) out.push(a.sub);
  return out;
}

/**
 * Reads an `act` claim from an untrusted-shape payload (it was signed by us or a trusted issuer,
 * but the shape is still checked): nested objects with a string `sub`, at most `limit` deep.
 */
export function parseAct(value: unknown, limit = 16): ActClaim | undefined {
  if (value === undefined) return undefined;
  const actors: string[] = [];
  let node: unknown = value;
  while (node !== undefined) {
    if (actors.length >= limit) throw invalidRequest('act claim is nested too deeply');
    if (typeof node !== 'object' || node === null || typeof (node as { sub?: unknown }).sub !== 'string') throw invalidRequest('act claim is malformed');
    actors.push((node as { sub: string }).sub);
    node = (node as { act?: unknown }).act;
  }
  return chainOf(actors);
}

/** Builds the nested claim from actors, most recent first. */
export function chainOf(actors: readonly string[]): ActClaim | undefined {
  let act: ActClaim | undefined;
  for (let i = actors.length - 1; i >= 0; i--) act = act === undefined ? { sub: actors[i]! } : { sub: actors[i]!, act };
  return act;
}

/**
 * The delegation step of a token exchange: `actor` now acts for the subject, on top of whatever
 * chain the subject token already carries. Refuses a chain longer than `maxDepth` and an actor the
 * subject token's `may_act` does not name.
 */
export function delegate(subject: { act?: ActClaim; mayAct?: unknown }, actor: string, maxDepth: number): ActClaim {
  if (subject.mayAct !== undefined && !mayActAllows(subject.mayAct, actor)) {
    throw new OAuthError('invalid_grant', 'the subject token does not allow this actor (may_act)');
  }
  const actors = [actor, ...actorsOf(subject.act)];
  if (actors.length > maxDepth) throw invalidRequest(`delegation chain would be ${actors.length} deep; the maximum is ${maxDepth}`);
  return chainOf(actors)!;
}

/** `may_act` (RFC 8693 §4.4) names who may act: an object with `sub`, or (common practice) an array of them. */
function mayActAllows(mayAct: unknown, actor: string): boolean {
  const entries = Array.isArray(mayAct) ? mayAct : [mayAct];
  return entries.some((e) => typeof e === 'object' && e !== null && (e as { sub?: unknown }).sub === actor);
}
