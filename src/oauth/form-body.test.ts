import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseForm } from './form-body.ts';
import { OAuthError } from './oauth-error.ts';

describe('parseForm: strict application/x-www-form-urlencoded', () => {
  it('decodes names and values, + as space, and drops empty values (RFC 6749 §3.1)', () => {
    const f = parseForm('grant_type=client_credentials&scope=read+write&resource=https%3A%2F%2Fa.test%2F&empty=');
    assert.equal(f.get('grant_type'), 'client_credentials');
    assert.equal(f.get('scope'), 'read write');
    assert.equal(f.get('resource'), 'https://a.test/');
    assert.equal(f.has('empty'), false);
  });

  const rejected: Array<[string, string]> = [
    ['repeated parameter', 'scope=a&scope=b'],
    ['repeated, first empty', 'scope=&scope=b'],
    ['repeated with different encoding of the name', 'scope=a&sc%6Fpe=b'],
    ['bad percent escape', 'scope=%zz'],
    ['truncated percent escape', 'scope=%4'],
    ['invalid UTF-8 in an escape', 'scope=%c0%ae'],
  ];
  for (const [name, body] of rejected) {
    it(`rejects ${name} as invalid_request`, () => {
      assert.throws(() => parseForm(body), (err: unknown) => err instanceof OAuthError && err.error === 'invalid_request');
    });
  }
});
