import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Agent } from '../core/types.ts';
import type { Principal, RequestContext } from './context.ts';
import { identityHeaders } from './identity-headers.ts';

const agent = (name: string): Agent => ({ id: `agt_${name}`, name, spiffeId: `spiffe://gatehouse.local/agent/${name}` }) as Agent;
const principal = (name: string, scopes: string[], delegation?: Principal['delegation']): Principal => ({
  agent: agent(name), credentialId: `key_${name}`, credentialType: 'api_key', scopes, delegation,
});
const ctx = (p: Principal | undefined, assertion: string | undefined): RequestContext =>
  ({ principal: p, identityAssertion: assertion }) as unknown as RequestContext;
const asObject = (flat: readonly string[]): Record<string, string> => Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!]));

test('each principal gets its own identity, also when blocks are cached', () => {
  const a = asObject(identityHeaders(ctx(principal('alpha', ['read']), 'eyJ.alpha.sig')));
  const b = asObject(identityHeaders(ctx(principal('beta', ['read', 'write']), 'eyJ.beta.sig')));
  const a2 = asObject(identityHeaders(ctx(principal('alpha', ['read']), 'eyJ.alpha.sig')));
  assert.deepEqual(a, {
    'x-gatehouse-agent-id': 'agt_alpha', 'x-gatehouse-agent': 'alpha',
    'x-gatehouse-spiffe-id': 'spiffe://gatehouse.local/agent/alpha', 'x-gatehouse-scopes': 'read',
    'x-gatehouse-credential-id': 'key_alpha', 'x-gatehouse-credential-type': 'api_key', 'x-gatehouse-identity': 'eyJ.alpha.sig',
  });
  assert.equal(b['x-gatehouse-agent'], 'beta');
  assert.equal(b['x-gatehouse-scopes'], 'read write');
  assert.equal(b['x-gatehouse-identity'], 'eyJ.beta.sig');
  assert.deepEqual(a2, a);
});

test('delegation adds subject and depth; no assertion (upstream assertions off) still names the caller', () => {
  const d = asObject(identityHeaders(ctx(principal('gamma', [], { subject: 'spiffe://x/agent/user', subjectIssuer: undefined, act: { sub: 'spiffe://x/agent/gamma' }, depth: 1 }), undefined)));
  assert.equal(d['x-gatehouse-subject'], 'spiffe://x/agent/user');
  assert.equal(d['x-gatehouse-delegation-depth'], '1');
  assert.equal(d['x-gatehouse-identity'], undefined);
  assert.equal(d['x-gatehouse-agent'], 'gamma');
});

test('a public request says so and carries no identity', () => {
  assert.deepEqual(identityHeaders(ctx(undefined, undefined)), ['x-gatehouse-auth', 'public']);
});

test('a value that could break its header line is refused, never sent', () => {
  assert.throws(() => identityHeaders(ctx(principal('evil\r\nx-injected: 1', ['read']), 'eyJ.evil.sig')), /unsafe value/);
});
