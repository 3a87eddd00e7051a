// Remediations of the authentication, injection and rate-limit checks, each naming the Gatehouse
// feature and configuration that fixes (or, for injection, contains) the problem.

export const UNAUTHENTICATED_REMEDIATION =
  'Put the API behind Gatehouse and bind the upstream to 127.0.0.1 so Gatehouse is the only way in. Gatehouse routes are ' +
  '`auth: strict` by default (routes[].auth): every request then needs an agent credential — an API key ' +
  '(`gatehouse keys issue`) or a short-lived OAuth token from the token service — and is authorized by policy ' +
  '(policies.rules). Mark only health and discovery paths `auth: public`.';

export const BYPASS_REMEDIATION =
  'The upstream authorizes a different path, method or identity than the one it serves. Put it behind Gatehouse ' +
  '(routes[].auth: strict, the default) and bind it to 127.0.0.1: Gatehouse canonicalizes the path once (dot segments, ' +
  'encoded and doubled slashes are normalized; `..;` segments and encoded separators are rejected with 400), ' +
  'authenticates and authorizes that canonical path and forwards exactly it (a variant matching no route gets 404 and ' +
  'is never forwarded), refuses method-override headers and `_method`, takes the client address from the connection ' +
  '(X-Forwarded-For only from server.trustedProxies) and strips client-supplied x-gatehouse-* identity headers. ' +
  "Fix the upstream's own matcher as well.";

export const SQL_INJECTION_REMEDIATION =
  'Fix the upstream: use parameterized queries (placeholders, never string concatenation) for every value that ' +
  'reaches SQL, and return generic errors. A gateway does not fix injection: Gatehouse only limits who can reach the ' +
  'endpoint — keep the route `auth: strict` (the default), restrict it with a policy (policies.rules: which agents may ' +
  'call which methods and paths) and a per-agent rate limit (rateLimit.perAgent), so an anonymous attacker cannot ' +
  'reach it at all and an authorized one is contained and audited.';

export const RATE_LIMIT_REMEDIATION =
  'Put the API behind Gatehouse: every request is rate-limited — per agent for authenticated callers ' +
  '(rateLimit.perAgent, per-agent overrides in rateLimit.agents, per-route routes[].rateLimit) and per client address ' +
  'on public routes (rateLimit.perAddress) — and repeated failed authentications lock the address out ' +
  '(rateLimit.authFailures). Refused requests get 429 with Retry-After. Use redis.url to share the counters between replicas.';
