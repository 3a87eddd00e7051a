import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { grantScopes, intersectScopes, parseScope } from './scopes.ts';
import { OAuthError } from './oauth-error.ts';

const invalidScope = (err: unknown): boolean => err instanceof OAuthError && err.error === 'invalid_scope';

describe('scopes', () => {
  it('parses space-delimited scope tokens, sorted and unique', () => {
    assert.deepEqual(parseScope('write read read'), ['read', 'write']);
    assert.equal(parseScope(undefined), undefined);
  });
  for (const bad of ['read  write', ' read', 'read ', 'a"b', 'a\\b', 'tab\there']) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => parseScope(bad), invalidScope));
  }
  it('intersects, ignoring undefined (unrestricted) sets', () => {
    assert.deepEqual(intersectScopes(['a', 'b', 'c'], undefined, ['c', 'b']), ['b', 'c']);
    assert.deepEqual(intersectScopes(['a'], ['b']), []);
    assert.deepEqual(intersectScopes(undefined), []);
  });
  it('grants exactly what was asked when allowed, everything allowed when nothing was asked', () => {
    assert.deepEqual(grantScopes(['read'], ['read', 'write']), ['read']);
    assert.deepEqual(grantScopes(undefined, ['write', 'read']), ['read', 'write']);
  });
  it('refuses a request for any scope not allowed, instead of narrowing silently', () => {
    assert.throws(() => grantScopes(['read', 'admin'], ['read']), invalidScope);
  });
});
