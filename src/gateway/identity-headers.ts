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

const PUBLIC: readonly string[] = checkIdentityHeaders(['x-gatehouse-auth', 'public']);

/**
 * The identity the upstream may trust, flat `[name, value, …]` and already checked: set only by
 * Gatehouse (client copies are always stripped). The request id travels beside it (forwarder.ts).
 */
export function identityHeaders(ctx: RequestContext): readonly string[] {
  const p = ctx.principal;
  if (!p) return PUBLIC;
  const assertion = ctx.identityAssertion;
  if (assertion === undefined) return principalBlock(p, undefined);
  let block = blocks.get(assertion);
  if (block === undefined) {
    block = principalBlock(p, assertion);
    if (blocks.size >= BLOCKS_MAX) blocks.delete(blocks.keys().next().value!);
    blocks.set(assertion, block);
  }
  return block;
}
