import { intersectScopes, grantScopes, parseScope } from '../scopes.ts';
import type { Grant } from './grant.ts';
import { selectResource } from './resource.ts';

/** `client_credentials` (RFC 6749 §4.4): an agent obtains a token for itself, for one resource. */
export const clientCredentials: Grant = {
  type: 'client_credentials',
  clientAuth: 'required',
  async handle(form, client, deps) {
    const agent = client!.agent;
    const config = deps.config();
    const resource = selectResource(form, config, agent);
    const scopes = grantScopes(parseScope(form.get('scope')), intersectScopes(agent.scopes, resource.scopes));
    const ttl = config.oauth.accessTokenTtlSeconds;
    const { token } = await deps.minter.accessToken({ sub: agent.spiffeId, clientId: agent.name, aud: resource.uri, scopes, ttlSeconds: ttl });
    return {
      response: { access_token: token, token_type: 'Bearer', expires_in: ttl, scope: scopes.join(' ') },
      agentName: agent.name,
      audit: { grant: 'client_credentials', aud: resource.uri, scope: scopes.join(' '), clientAuth: client!.method },
    };
  },
};
