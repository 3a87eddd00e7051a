import type { Agent } from '../../core/types.ts';
import { invalidClient } from '../client-auth/client-auth.ts';
import { actorsOf, delegate, parseAct, type ActClaim } from '../delegation.ts';
import { invalidGrant, invalidRequest, invalidScope, OAuthError } from '../oauth-error.ts';
import { intersectScopes, parseScope } from '../scopes.ts';
import type { FormParams } from '../form-body.ts';
import type { AuthenticatedClient } from '../client-auth/client-auth.ts';
import type { Grant, GrantDeps } from './grant.ts';
import { selectResource } from './resource.ts';

const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const JWT = 'urn:ietf:params:oauth:token-type:jwt';

interface Subject {
  sub: string;
  scopes: readonly string[];
  exp: number;
  act: ActClaim | undefined;
  mayAct: unknown;
  subIss: string | undefined;
  source: string;
}

/**
 * `urn:ietf:params:oauth:grant-type:token-exchange` (RFC 8693): delegation. The actor (the
 * authenticated client and/or the agent of `actor_token`) gets a token whose `sub` is the subject
 * and whose `act` nests the whole chain. Scope is the intersection of the subject's, the actor's,
 * the request's and the resource's — never wider; exp never beyond the subject token's; the chain
 * never deeper than oauth.maxDelegationDepth; `may_act` is honoured.
 */
export const tokenExchange: Grant = {
  type: 'urn:ietf:params:oauth:grant-type:token-exchange',
  clientAuth: 'optional',
  async handle(form, client, deps) {
    const requestedType = form.get('requested_token_type');
    if (requestedType !== undefined && requestedType !== ACCESS_TOKEN) throw invalidRequest('only access tokens can be requested');
    const subject = await readSubject(form, deps);
    const actor = await readActor(form, client, deps);
    const config = deps.config();
    const act = delegate({ act: subject.act, mayAct: subject.mayAct }, actor.agent.spiffeId, config.oauth.maxDelegationDepth);
    const resource = selectResource(form, config, actor.agent);
    const ceiling = intersectScopes(subject.scopes, actor.scopes, resource.scopes);
    const requested = parseScope(form.get('scope'));
    const wider = (requested ?? []).filter((s) => !ceiling.includes(s));
    if (wider.length > 0) throw invalidScope(`scope exceeds what the subject and actor hold: ${wider.join(' ')}`);
    const scopes = requested ?? ceiling;
    const nowS = Math.floor(deps.clock.now() / 1000);
    const ttl = lifetime(form, Math.min(config.oauth.accessTokenTtlSeconds, subject.exp - nowS));
    const { token } = await deps.minter.accessToken({ sub: subject.sub, clientId: actor.agent.name, aud: resource.uri, scopes, ttlSeconds: ttl, act, ...(subject.subIss ? { subIss: subject.subIss } : {}) });
    return {
      response: { access_token: token, token_type: 'Bearer', expires_in: ttl, scope: scopes.join(' '), issued_token_type: ACCESS_TOKEN },
      agentName: actor.agent.name,
      audit: { grant: 'token-exchange', subject: subject.sub, subjectSource: subject.source, chain: [subject.sub, ...actorsOf(act).reverse()], depth: actorsOf(act).length, aud: resource.uri, scope: scopes.join(' '), ttl },
    };
  },
};

/** `expires_in` (a Gatehouse extension) may shorten the lifetime, never lengthen it. */
function lifetime(form: FormParams, max: number): number {
  if (max <= 0) throw invalidGrant('the subject token has expired');
  const raw = form.get('expires_in');
  if (raw === undefined) return max;
  if (!/^[1-9][0-9]{0,6}$/.test(raw)) throw invalidRequest('expires_in must be a positive integer');
  const asked = Number(raw);
  if (asked > max) throw invalidRequest(`expires_in exceeds the longest allowed lifetime (${max} s: the subject token's remaining life or the configured maximum)`);
  return asked;
}

async function readSubject(form: FormParams, deps: GrantDeps): Promise<Subject> {
  const token = form.get('subject_token');
  const type = form.get('subject_token_type');
  if (token === undefined || type === undefined) throw invalidRequest('subject_token and subject_token_type are required');
  if (type !== ACCESS_TOKEN && type !== JWT) throw new OAuthError('unsupported_token_type', 'subject_token_type must be an access token or a JWT');
  const ours = await deps.tokens.verify(token, undefined);
  if (ours.ok) {
    const c = ours.claims;
    return { sub: c.sub, scopes: c.scope === '' ? [] : c.scope.split(' '), exp: c.exp, act: c.act, mayAct: undefined, subIss: c.sub_iss, source: 'gatehouse' };
  }
  if (ours.reason !== 'token_invalid' && ours.reason !== 'token_malformed') throw invalidGrant(`subject_token: ${ours.description}`);
  const { issuer, claims } = await deps.external.verify(token, 'subject');
  if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') throw invalidGrant('subject_token lacks sub or exp');
  const tokenScopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : undefined;
  let act: ActClaim | undefined;
  try {
    act = parseAct(claims.act);
  } catch {
    throw invalidGrant('subject_token has a malformed act claim');
  }
  return { sub: claims.sub, scopes: intersectScopes(issuer.subjectScopes, tokenScopes), exp: claims.exp, act, mayAct: claims.may_act, subIss: issuer.issuer, source: issuer.name };
}

/** The actor: the authenticated client, the agent of actor_token, or both — then they must agree. */
async function readActor(form: FormParams, client: AuthenticatedClient | undefined, deps: GrantDeps): Promise<{ agent: Agent; scopes: readonly string[] }> {
  const token = form.get('actor_token');
  const type = form.get('actor_token_type');
  if ((token === undefined) !== (type === undefined)) throw invalidRequest('actor_token and actor_token_type go together');
  if (token === undefined) {
    if (!client) throw invalidClient(false, 'credential_missing'); // no actor at all: nothing was guessed
    return { agent: client.agent, scopes: client.agent.scopes };
  }
  if (type !== ACCESS_TOKEN && type !== JWT) throw new OAuthError('unsupported_token_type', 'actor_token_type must be an access token or a JWT');
  const v = await deps.tokens.verify(token, undefined);
  if (!v.ok) throw invalidGrant(`actor_token: ${v.description}`);
  // The actor acts for itself: a delegated token cannot be an actor token (that chain is the subject's job).
  if (v.claims.act !== undefined || v.subjectAgent?.id !== v.agent.id) throw invalidGrant('actor_token must be an agent\'s own token, not a delegated one');
  if (client && client.agent.id !== v.agent.id) throw invalidGrant('actor_token belongs to another agent than the authenticated client');
  return { agent: v.agent, scopes: intersectScopes(v.agent.scopes, v.claims.scope === '' ? [] : v.claims.scope.split(' ')) };
}
