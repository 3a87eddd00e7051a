import type { Agent } from '../../core/types.ts';
import type { FormParams } from '../form-body.ts';
import { grantScopes, intersectScopes, parseScope } from '../scopes.ts';
import type { GrantDeps, GrantResult } from './grant.ts';
import { selectResource } from './resource.ts';

/**
 * An agent's own token (not delegated): the resource it asked for (RFC 8707) as the only `aud`,
 * and exactly the requested scopes when the agent and the resource allow them all.
 */
export async function issueForAgent(agent: Agent, form: FormParams, deps: GrantDeps, audit: Record<string, unknown>): Promise<GrantResult> {
  const config = deps.config();
  const resource = selectResource(form, config, agent);
  const scopes = grantScopes(parseScope(form.get('scope')), intersectScopes(agent.scopes, resource.scopes));
  const ttl = config.oauth.accessTokenTtlSeconds;
  const { token } = await deps.minter.accessToken({ sub: agent.spiffeId, clientId: agent.name, aud: resource.uri, scopes, ttlSeconds: ttl });
  return {
    response: { access_token: token, token_type: 'Bearer', expires_in: ttl, scope: scopes.join(' ') },
    agentName: agent.name,
    audit: { ...audit, aud: resource.uri, scope: scopes.join(' ') },
  };
}
