import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalizeTarget, encodePathForUpstream, matchesPathPattern, stripPathPrefix } from './canonicalize-path.ts';

// [raw target, canonical path] — accepted inputs.
const accepted: [string, string][] = [
  ['/', '/'],
  ['/api/users', '/api/users'],
  ['/api/users/', '/api/users/'],
  // 25: dot segments, plain and encoded, resolved
  ['/api/../admin', '/admin'],
  ['/api/%2e%2e/admin', '/admin'],
  ['/api/.%2e/admin', '/admin'],
  ['/api/%2e./admin', '/admin'],
  ['/api/%2E%2e/admin', '/admin'],
  ['/api/%2e/admin', '/api/admin'],
  ['/a/b/../c', '/a/c'],
  ['/a/./b', '/a/b'],
  ['/./a', '/a'],
  ['/a/.', '/a/'],
  ['/a/b/..', '/a/'],
  ['/a/..', '/'],
  ['/a/%2e%2e', '/'],
  ['/a/b/../../c', '/c'],
  ['/.', '/'],
  // 28/29: repeated slashes merged (a leading `//authority` becomes a path segment)
  ['/api//admin', '/api/admin'],
  ['///admin', '/admin'],
  ['//evil.com/admin', '/evil.com/admin'],
  ['//', '/'],
  ['/a//', '/a/'],
  ['/a//..', '/'],
  ['/a/.//b', '/a/b'],
  // decoding: once only, unicode, literals
  ['/caf%C3%A9', '/café'],
  ['/caf%c3%a9', '/café'],
  ['/%252e%252e/admin', '/%2e%2e/admin'],
  ['/a/%252e%252e', '/a/%2e%2e'],
  ['/a%252fb', '/a%2fb'],
  ['/a%25', '/a%'],
  ['/a%3Fb', '/a?b'],
  ['/a%23b', '/a#b'],
  ['/a%20b', '/a b'],
  ['/%41%42c', '/ABc'],
  ['/emoji/%F0%9F%98%80', '/emoji/😀'],
  ['/%EF%BB%BFadmin', '/\uFEFFadmin'], // BOM is kept, not silently dropped
  ['/a;b=c/d', '/a;b=c/d'],
  ['/a;jsessionid=1', '/a;jsessionid=1'],
  ['/...', '/...'],
  ['/a/..../b', '/a/..../b'],
  ["/x/!$&'()*+,;=:@~-_", "/x/!$&'()*+,;=:@~-_"],
  ['/a|b{c}', '/a|b{c}'],
];

// [raw target, reason]
const rejected: [string, string][] = [
  // 26: encoded separators
  ['/api/..%2fadmin', 'path_encoded_separator'],
  ['/api/..%2Fadmin', 'path_encoded_separator'],
  ['/api/%2e%2e%2fadmin', 'path_encoded_separator'],
  ['/api/..%5cadmin', 'path_encoded_separator'],
  ['/api/..%5Cadmin', 'path_encoded_separator'],
  ['/%2f', 'path_encoded_separator'],
  // 27: raw backslash
  ['/api\\..\\admin', 'path_invalid'],
  ['/api\\admin', 'path_invalid'],
  // 30 and variants
  ['/..', 'path_dot_segment_escape'],
  ['/../admin', 'path_dot_segment_escape'],
  ['/a/../..', 'path_dot_segment_escape'],
  ['/a/../../b', 'path_dot_segment_escape'],
  ['/%2e%2e', 'path_dot_segment_escape'],
  ['/.%2E/etc/passwd', 'path_dot_segment_escape'],
  ['//..', 'path_dot_segment_escape'],
  ['/a%00', 'path_nul'],
  ['/%00/x', 'path_nul'],
  ['/%zz', 'path_bad_encoding'],
  ['/%4', 'path_bad_encoding'],
  ['/a%', 'path_bad_encoding'],
  ['/a%g1', 'path_bad_encoding'],
  ['/%%41', 'path_bad_encoding'],
  ['/%c0%ae', 'path_bad_encoding'], // overlong '.'
  ['/%c0%ae%c0%ae/admin', 'path_bad_encoding'],
  ['/%e0%80%ae', 'path_bad_encoding'], // 3-byte overlong '.'
  ['/%c0%af', 'path_bad_encoding'], // overlong '/'
  ['/%80', 'path_bad_encoding'], // lone continuation byte
  ['/%C3', 'path_bad_encoding'], // truncated sequence
  ['/%ed%a0%80', 'path_bad_encoding'], // UTF-16 surrogate encoded in UTF-8
  ['/%f4%90%80%80', 'path_bad_encoding'], // above U+10FFFF
  ['/%ff', 'path_bad_encoding'],
  // decoded / raw control characters
  ['/a%0d%0aX-Injected:1', 'path_invalid'],
  ['/a%09', 'path_invalid'],
  ['/a%7f', 'path_invalid'],
  ['/a%c2%85', 'path_invalid'], // C1 NEL
  ['/a\u0000', 'path_invalid'],
  ['/a\tb', 'path_invalid'],
  ['/a\u007f', 'path_invalid'],
  ['/a b', 'path_invalid'],
  ['/caf\u00e9', 'path_invalid'], // raw non-ASCII (latin1-decoded byte)
  ['/\u{1F600}', 'path_invalid'],
  // fragments
  ['/a#frag', 'path_invalid'],
  ['/a?x=1#frag', 'path_invalid'],
  // non-origin forms
  ['http://evil.com/admin', 'path_absolute_form'],
  ['HTTPS://evil.com/', 'path_absolute_form'],
  ['evil.com:443', 'path_absolute_form'],
  ['*', 'path_absolute_form'],
  ['api/x', 'path_absolute_form'],
  ['', 'path_invalid'],
  // dot segments carrying path parameters (servlet containers treat `..;` as `..`)
  ['/api/..;/admin', 'path_invalid'],
  ['/api/.;x/admin', 'path_invalid'],
  ['/api/%2e%2e;/admin', 'path_invalid'],
  ['/api/..%3b/admin', 'path_invalid'],
];

describe('canonicalizeTarget', () => {
  for (const [raw, path] of accepted) {
    it(`accepts ${JSON.stringify(raw)} → ${JSON.stringify(path)}`, () => {
      assert.deepEqual(canonicalizeTarget(raw), { ok: true, path, query: '' });
    });
  }
  for (const [raw, reason] of rejected) {
    it(`rejects ${JSON.stringify(raw)} with ${reason}`, () => {
      const r = canonicalizeTarget(raw);
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.reason, reason);
      assert.ok(!r.ok && r.message.length > 0);
    });
  }

  it('splits the query at the first "?" and keeps it raw', () => {
    assert.deepEqual(canonicalizeTarget('/a/../b?x=%2F..%2f&y=/c?d'), { ok: true, path: '/b', query: 'x=%2F..%2f&y=/c?d' });
    assert.deepEqual(canonicalizeTarget('/a?'), { ok: true, path: '/a', query: '' });
    assert.deepEqual(canonicalizeTarget('/?q=%zz'), { ok: true, path: '/', query: 'q=%zz' });
    assert.deepEqual(canonicalizeTarget('/p?a\\b'), { ok: true, path: '/p', query: 'a\\b' });
  });

  it('rejects control characters and non-ASCII in the query', () => {
    for (const raw of ['/a?x=\u0000', '/a?x=\r\nHost: evil', '/a?x=\u007f', '/a?x=\u00e9', '/a?x y']) {
      const r = canonicalizeTarget(raw);
      assert.equal(!r.ok && r.reason, 'path_invalid', raw);
    }
  });

  it('does not treat a "?" decoded from %3F as the query start', () => {
    assert.deepEqual(canonicalizeTarget('/a%3Fadmin=1?b=2'), { ok: true, path: '/a?admin=1', query: 'b=2' });
  });

  it('handles very long paths', () => {
    const raw = '/' + Array.from({ length: 5000 }, (_, i) => `seg${i}%20x`).join('/');
    const r = canonicalizeTarget(raw);
    assert.equal(r.ok, true);
    assert.equal(r.ok && r.path.split('/').length, 5001);
    assert.ok(r.ok && r.path.endsWith('/seg4999 x'));
    const deep = '/' + 'a/'.repeat(10_000) + '../'.repeat(10_000) + 'z';
    assert.deepEqual(canonicalizeTarget(deep), { ok: true, path: '/z', query: '' });
    const escape = '/' + 'a/'.repeat(10_000) + '../'.repeat(10_001);
    assert.equal(canonicalizeTarget(escape).ok, false);
  });

  it('is idempotent: canonicalizing the upstream encoding of a canonical path yields it again', () => {
    for (const [raw] of accepted) {
      const r = canonicalizeTarget(raw);
      assert.ok(r.ok);
      assert.ok(!encodePathForUpstream(r.path).startsWith('//'), 'upstream path can never look like an authority');
      const again = canonicalizeTarget(encodePathForUpstream(r.path));
      assert.deepEqual(again, { ok: true, path: r.path, query: '' }, raw);
    }
  });
});

describe('encodePathForUpstream', () => {
  const table: [string, string][] = [
    ['/', '/'],
    ['/a/b/', '/a/b/'],
    ['/café', '/caf%C3%A9'],
    ['/a b', '/a%20b'],
    ['/%2e%2e/admin', '/%252e%252e/admin'],
    ['/a%', '/a%25'],
    ['/a?b#c', '/a%3Fb%23c'],
    ["/x/!$&'()*+,;=:@~-_.", "/x/!$&'()*+,;=:@~-_."],
    ['/%24', '/%2524'], // an escaped '%' followed by kept-char hex stays escaped
    ['/a"<>\\^`{|}', '/a%22%3C%3E%5C%5E%60%7B%7C%7D'],
    ['/😀', '/%F0%9F%98%80'],
  ];
  for (const [path, encoded] of table) {
    it(`${JSON.stringify(path)} → ${encoded}`, () => {
      assert.equal(encodePathForUpstream(path), encoded);
      assert.equal(encoded.split('/').map(decodeURIComponent).join('/'), path);
    });
  }

  it('round-trips random canonical paths (seeded)', () => {
    let seed = 0x2545f491;
    const next = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const alphabet = ['a', 'Z', '9', '%', '.', ';', '=', '?', '#', ' ', 'é', '😀', '+', ':', '@', '$', '\uFEFF', '~', '"'];
    for (let n = 0; n < 2000; n++) {
      const segs = Array.from({ length: 1 + next(5) }, () => Array.from({ length: 1 + next(6) }, () => alphabet[next(alphabet.length)]).join(''));
      const path = '/' + segs.filter((s) => s !== '.' && s !== '..' && !/^\.\.?;/.test(s)).join('/');
      const enc = encodePathForUpstream(path);
      assert.match(enc, /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]+$/, 'only pchar and "/" on the wire');
      assert.equal(enc.split('/').map(decodeURIComponent).join('/'), path);
      assert.deepEqual(canonicalizeTarget(enc), { ok: true, path, query: '' }, path);
    }
  });
});

describe('matchesPathPattern', () => {
  const table: [string, string, boolean][] = [
    ['/api/*', '/api', true],
    ['/api/*', '/api/', true],
    ['/api/*', '/api/x', true],
    ['/api/*', '/api/x/y', true],
    ['/api/*', '/apix', false],
    ['/api/*', '/ap', false],
    ['/api/*', '/', false],
    ['/api/*', '/API/x', false],
    ['/api/v1/*', '/api/v1/users', true],
    ['/api/v1/*', '/api/v2/users', false],
    ['/*', '/', true],
    ['/*', '/anything/deep', true],
    ['/healthz', '/healthz', true],
    ['/healthz', '/healthz/', false],
    ['/healthz', '/healthzx', false],
    ['/api', '/api/x', false],
    ['/a*', '/abc', false], // '*' only means something after a slash at the end
    ['/a*', '/a*', true],
  ];
  for (const [pattern, path, expected] of table) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${path}`, () => {
      assert.equal(matchesPathPattern(pattern, path), expected);
    });
  }
});

describe('stripPathPrefix', () => {
  const table: [string, string, string][] = [
    ['/api/v1/x', '/api', '/v1/x'],
    ['/api/v1/x', '/api/', '/v1/x'],
    ['/api/v1/x', '/api/*', '/v1/x'],
    ['/api', '/api', '/'],
    ['/api/', '/api', '/'],
    ['/apix/y', '/api', '/apix/y'],
    ['/other', '/api', '/other'],
    ['/a/b', '/', '/a/b'],
    ['/a/b', '', '/a/b'],
  ];
  for (const [path, prefix, expected] of table) {
    it(`strip ${prefix} from ${path} → ${expected}`, () => {
      assert.equal(stripPathPrefix(path, prefix), expected);
    });
  }
});
