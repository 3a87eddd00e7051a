import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { actorsOf, chainOf, delegate, parseAct } from './delegation.ts';
import { OAuthError } from './oauth-error.ts';

const A = 'spiffe://t/agent/a';
const B = 'spiffe://t/agent/b';
const C = 'spiffe://t/agent/c';

describe('delegation chains (RFC 8693 act)', () => {
  it('nests the new actor outermost, prior actors inside', () => {
    const first = delegate({}, A, 3);
    assert.deepEqual(first, { sub: A });
    const second = delegate({ act: first }, B, 3);
    assert.deepEqual(second, { sub: B, act: { sub: A } });
    assert.deepEqual(actorsOf(second), [B, A]);
    assert.deepEqual(chainOf([C, B, A]), { sub: C, act: { sub: B, act: { sub: A } } });
  });

  it('refuses a chain deeper than the maximum with invalid_request', () => {
    const two = chainOf([B, A]);
    assert.deepEqual(actorsOf(delegate({ act: two }, C, 3)), [C, B, A]);
    assert.throws(() => delegate({ act: chainOf([C, B, A]) }, 'spiffe://t/agent/d', 3), (e: unknown) => e instanceof OAuthError && e.error === 'invalid_request');
  });

  it('honours may_act: only a named actor may act', () => {
    assert.deepEqual(delegate({ mayAct: { sub: B } }, B, 3), { sub: B });
    assert.deepEqual(delegate({ mayAct: [{ sub: A }, { sub: B }] }, B, 3), { sub: B });
    for (const mayAct of [{ sub: A }, [], {}, 'b', null, [{ sub: 42 }]]) {
      assert.throws(() => delegate({ mayAct }, B, 3), (e: unknown) => e instanceof OAuthError && e.error === 'invalid_grant', JSON.stringify(mayAct));
    }
  });

  it('parses only well-formed act claims', () => {
    assert.deepEqual(parseAct({ sub: B, act: { sub: A } }), { sub: B, act: { sub: A } });
    assert.equal(parseAct(undefined), undefined);
    for (const bad of [{}, { sub: 1 }, 'x', [{ sub: A }], { sub: A, act: 'x' }]) assert.throws(() => parseAct(bad), JSON.stringify(bad));
    let deep: Record<string, unknown> = { sub: A };
    for (let i = 0; i < 20; i++) deep = { sub: A, act: deep };
    assert.throws(() => parseAct(deep));
  });
});
