/**
 * The Cedar entity model every Gatehouse policy is validated against (namespace `Gatehouse`).
 *
 * - principal `Gatehouse::Agent::"<agent name>"`: the authenticated agent and its credential's scopes.
 * - action `Gatehouse::Action::"<METHOD>"`: one per HTTP method in POLICY_METHODS. Any other method is
 *   denied (`default_deny`) before Cedar runs, since no valid policy can mention it.
 * - resource `Gatehouse::Path::"<canonical path>"`: `selfPath` is the path with every segment equal
 *   to the caller's name replaced by `{agent}` (literal `{` first encoded as `%7B`, so it cannot be forged).
 * - context: time is bucketed to the UTC hour and weekday so decisions stay cacheable.
 *   `credentialType` is `api_key` or `jwt`. Delegated tokens (token exchange) set `delegationDepth`
 *   (number of actors), `subject` (on whose behalf: the token's `sub`) and `actors` (SPIFFE ids);
 *   otherwise depth 0, subject = the agent's name, actors empty.
 */
export const CEDAR_NAMESPACE = 'Gatehouse';
export const AGENT_TYPE = 'Gatehouse::Agent';
export const ACTION_TYPE = 'Gatehouse::Action';
export const PATH_TYPE = 'Gatehouse::Path';

export const POLICY_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type PolicyMethod = (typeof POLICY_METHODS)[number];

const METHOD_SET: ReadonlySet<string> = new Set(POLICY_METHODS);

/** True for the HTTP methods that exist as Cedar actions (exact, case-sensitive: RFC 9110 §9.1). */
export function isPolicyMethod(method: string): method is PolicyMethod {
  return METHOD_SET.has(method);
}

export const CEDAR_SCHEMA = `namespace ${CEDAR_NAMESPACE} {
  entity Agent {
    name: String,
    id: String,
    owner: String,
    labels: Set<String>,
    scopes: Set<String>,
  };
  entity Path {
    path: String,
    route: String,
    selfPath: String,
  };
  type RequestContext = {
    clientAddress: String,
    credentialType: String,
    hourUtc: Long,
    weekdayUtc: Long,
    delegationDepth: Long,
    subject: String,
    actors: Set<String>,
  };
  action ${POLICY_METHODS.map((m) => `"${m}"`).join(', ')} appliesTo {
    principal: [Agent],
    resource: [Path],
    context: RequestContext,
  };
}
`;

/** Replaces the segments naming the caller with `{agent}`; a literal `{` becomes `%7B` first. */
export function selfPathOf(path: string, agentName: string): string {
  return path
    .replaceAll('{', '%7B')
    .split('/')
    .map((segment) => (segment === agentName ? '{agent}' : segment))
    .join('/');
}
