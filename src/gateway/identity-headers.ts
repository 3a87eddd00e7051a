import type { RequestContext } from './context.ts';

/** The identity the upstream may trust: set only by Gatehouse (client copies are always stripped). */
export function identityHeaders(ctx: RequestContext): Record<string, string> {
  const h: Record<string, string> = { 'x-gatehouse-request-id': ctx.requestId };
  const p = ctx.principal;
  if (p) {
    h['x-gatehouse-agent-id'] = p.agent.id;
    h['x-gatehouse-agent'] = p.agent.name;
    h['x-gatehouse-spiffe-id'] = p.agent.spiffeId;
    h['x-gatehouse-scopes'] = p.scopes.join(' ');
    h['x-gatehouse-credential-id'] = p.credentialId;
    h['x-gatehouse-credential-type'] = p.credentialType;
    if (p.delegation) {
      h['x-gatehouse-subject'] = p.delegation.subject;
      h['x-gatehouse-delegation-depth'] = String(p.delegation.depth);
    }
    if (ctx.identityAssertion !== undefined) h['x-gatehouse-identity'] = ctx.identityAssertion;
  } else {
    h['x-gatehouse-auth'] = 'public';
  }
  return h;
}
