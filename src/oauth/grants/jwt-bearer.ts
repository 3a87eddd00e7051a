import { mapAssertionToAgent } from '../claim-mapping.ts';
import { invalidClient } from '../client-auth/client-auth.ts';
import { invalidGrant, invalidRequest } from '../oauth-error.ts';
import type { Grant } from './grant.ts';
import { issueForAgent } from './issue-for-agent.ts';

/**
 * `urn:ietf:params:oauth:grant-type:jwt-bearer` (RFC 7523 §2.1): federation. A workload token from
 * a trusted issuer (CI, Kubernetes, SPIFFE) is verified against that issuer's keys and mapped by
 * claim rules to exactly one agent, which then holds no secret at all.
 */
export const jwtBearer: Grant = {
  type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  clientAuth: 'optional',
  async handle(form, client, deps) {
    const assertion = form.get('assertion');
    if (assertion === undefined) throw invalidRequest('assertion is required');
    const { issuer, claims } = await deps.external.verify(assertion, 'federation');
    const name = mapAssertionToAgent(issuer.rules, claims);
    if (name === undefined) throw invalidGrant('no mapping rule of the issuer matches this assertion');
    const agent = await deps.agents.get(name).catch(() => undefined);
    if (!agent || agent.status !== 'active') throw invalidGrant('the mapped agent is not active');
    // A client that also authenticated must be the agent the assertion maps to.
    if (client && client.agent.id !== agent.id) throw invalidClient();
    const claimed = form.get('client_id');
    if (claimed !== undefined && claimed !== agent.name) throw invalidGrant('client_id does not match the agent this assertion maps to');
    return issueForAgent(agent, form, deps, { grant: 'jwt-bearer', trustedIssuer: issuer.name, assertionIss: claims.iss, assertionSub: claims.sub });
  },
};
