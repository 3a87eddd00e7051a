import { checkIdentityHeaders } from '../core/forwarding-headers.ts';
import type { Principal, RequestContext } from './context.ts';

const BLOCKS_MAX = 2_048;
/**
 * The principal's headers, keyed by the identity assertion they travel with: an assertion is
 * signed for one credential and one upstream and reused for half its lifetime, and everything in
 * the block follows from that same credential. So the block is built and checked once per
 * assertion, not per request. Oldest first out: an entry whose assertion was replaced is never
 * looked up again, and goes first.
 */
const blocks = new Map<string, readonly string[]>();

function principalBlock(p: Principal, assertion: string | undefined): readonly string[] {
  const h = [
    'x-gatehouse-agent-id', p.agent.id,
    'x-gatehouse-agent', p.agent.name,
    'x-gatehouse-spiffe-id', p.agent.spiffeId,
    'x-gatehouse-scopes', p.scopes.join(' '),
    'x-gatehouse-credential-id', p.credentialId,
    'x-gatehouse-credential-type', p.credentialType,
  ];
  if (p.delegation) h.push('x-gatehouse-subject', p.delegation.subject, 'x-gatehouse-delegation-depth', String(p.delegation.depth));
  if (assertion !== undefined) h.push('x-gatehouse-identity', assertion);
  return checkIdentityHeaders(h);
}

/** The identity the upstream may trust, flat `[name, value, …]`: set only by Gatehouse (client copies are always stripped). */
export function identityHeaders(ctx: RequestContext): string[] {
  const out = ['x-gatehouse-request-id', ctx.requestId];
  const p = ctx.principal;
  if (!p) {
    out.push('x-gatehouse-auth', 'public');
    return out;
  }
  const assertion = ctx.identityAssertion;
  let block = assertion === undefined ? undefined : blocks.get(assertion);
  if (block === undefined) {
    block = principalBlock(p, assertion);
    if (assertion !== undefined) {
      if (blocks.size >= BLOCKS_MAX) blocks.delete(blocks.keys().next().value!);
      blocks.set(assertion, block);
    }
  }
  for (let i = 0; i < block.length; i++) out.push(block[i]!);
  return out;
}
