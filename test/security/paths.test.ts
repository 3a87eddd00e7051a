import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../helpers/gateway-harness.ts';
import { assertRejected, attackConfig, bearer, fromRaw, rawExchange, rawGet, snapshot } from './attack-kit.ts';

// SECURITY-CASES 25–30: one canonical path, authorized, rate-limited and forwarded — or rejected.
// Every request goes over a raw socket: fetch/URL would resolve `..`, turn `\` into `/` and merge
// nothing, so the gateway would never see the attack.

interface Rejected { name: string; target: string; status: number; reason: string }
interface Forwarded { name: string; target: string; upstreamPath: string }

const rejected: Rejected[] = [
  // 25: dot segments that climb out of /api resolve to /admin, which no route serves
  { name: '25 /api/../admin', target: '/api/../admin', status: 404, reason: 'no_route' },
  { name: '25 /api/%2e%2e/admin', target: '/api/%2e%2e/admin', status: 404, reason: 'no_route' },
  { name: '25 /api/.%2e/admin', target: '/api/.%2e/admin', status: 404, reason: 'no_route' },
  { name: '25 /api/%2E./admin', target: '/api/%2E./admin', status: 404, reason: 'no_route' },
  { name: '25 dot segments into a forbidden subtree', target: '/api/x/../secret/keys', status: 403, reason: 'policy_forbid' },
  { name: '25 encoded dot segments into a forbidden subtree', target: '/api/x/%2e%2e/secret', status: 403, reason: 'policy_forbid' },
  // 26: encoded separators are never decoded into separators nor forwarded raw
  { name: '26 /api/..%2fadmin', target: '/api/..%2fadmin', status: 400, reason: 'path_encoded_separator' },
  { name: '26 /api/..%2Fadmin', target: '/api/..%2Fadmin', status: 400, reason: 'path_encoded_separator' },
  { name: '26 /api/..%5cadmin', target: '/api/..%5cadmin', status: 400, reason: 'path_encoded_separator' },
  { name: '26 /api%2fx', target: '/api%2fx', status: 400, reason: 'path_encoded_separator' },
  { name: '26 /api/%5C..%5Cadmin', target: '/api/%5C..%5Cadmin', status: 400, reason: 'path_encoded_separator' },
  // 27: raw backslashes are refused rather than guessed at
  { name: '27 /api\\..\\admin', target: '/api\\..\\admin', status: 400, reason: 'path_invalid' },
  { name: '27 /api/x\\..\\..\\admin', target: '/api/x\\..\\..\\admin', status: 400, reason: 'path_invalid' },
  // 28: a leading // is a path, never an authority
  { name: '28 //evil.com/admin', target: '//evil.com/admin', status: 404, reason: 'no_route' },
  { name: '28 //evil.com/api/x', target: '//evil.com/api/x', status: 404, reason: 'no_route' },
  { name: '28 absolute-form http://evil.com/api/x', target: 'http://evil.com/api/x', status: 400, reason: 'path_absolute_form' },
  // 29: merged slashes are seen by policy too
  { name: '29 ///admin', target: '///admin', status: 404, reason: 'no_route' },
  { name: '29 /api//secret/x reaches the forbid rule', target: '/api//secret/x', status: 403, reason: 'policy_forbid' },
  { name: '29 /api/./secret reaches the forbid rule', target: '/api/./secret', status: 403, reason: 'policy_forbid' },
  { name: '29 /api/%73ecret (encoded letter) reaches the forbid rule', target: '/api/%73ecret', status: 403, reason: 'policy_forbid' },
  // 30
  { name: '30 /..', target: '/..', status: 400, reason: 'path_dot_segment_escape' },
  { name: '30 /%2e%2e', target: '/%2e%2e', status: 400, reason: 'path_dot_segment_escape' },
  { name: '30 /api/../../x', target: '/api/../../x', status: 400, reason: 'path_dot_segment_escape' },
  { name: '30 %00', target: '/api/x%00.json', status: 400, reason: 'path_nul' },
  { name: '30 %zz', target: '/api/%zz', status: 400, reason: 'path_bad_encoding' },
  { name: '30 truncated escape %2', target: '/api/x%2', status: 400, reason: 'path_bad_encoding' },
  { name: '30 overlong UTF-8 %c0%ae', target: '/api/%c0%ae%c0%ae/admin', status: 400, reason: 'path_bad_encoding' },
  { name: '30 overlong UTF-8 %e0%80%ae', target: '/api/%e0%80%ae', status: 400, reason: 'path_bad_encoding' },
  { name: '30 overlong UTF-8 slash %c0%af', target: '/api/..%c0%afadmin', status: 400, reason: 'path_bad_encoding' },
  { name: '30 encoded control %0d%0a', target: '/api/x%0d%0aX-Injected:%201', status: 400, reason: 'path_invalid' },
  { name: '30 dot segment with parameters ..;', target: '/api/..;/admin', status: 400, reason: 'path_invalid' },
];

// Resolve inside the allowed space: authorized on the normalized path and forwarded as exactly that.
const forwarded: Forwarded[] = [
  { name: '25 /api/x/../admin', target: '/api/x/../admin', upstreamPath: '/api/admin' },
  { name: '25 /api/x/%2e%2e/admin', target: '/api/x/%2e%2e/admin', upstreamPath: '/api/admin' },
  { name: '25 /api/./admin', target: '/api/./admin', upstreamPath: '/api/admin' },
  { name: '28 /api//evil.com/x keeps the upstream host', target: '/api//evil.com/x', upstreamPath: '/api/evil.com/x' },
  { name: '29 /api//admin', target: '/api//admin', upstreamPath: '/api/admin' },
  { name: '29 ///api///admin', target: '///api///admin', upstreamPath: '/api/admin' },
  { name: 'query string kept verbatim', target: '/api//x?a=%2f..&b=1', upstreamPath: '/api/x?a=%2f..&b=1' },
  { name: 'decoded once, re-encoded for the upstream', target: '/api/a%20b%25c', upstreamPath: '/api/a%20b%25c' },
];

describe('paths: canonicalize once (cases 25–30)', () => {
  let h: Harness;
  let key: string;
  let upstreamHost: string;
  before(async () => {
    h = await startHarness((u) => attackConfig(u));
    key = (await h.agentWithKey('writer-1', { labels: ['writer'] })).key;
    upstreamHost = new URL(h.upstream.url).host;
  });
  after(() => h.close());

  for (const row of rejected) {
    it(`rejects ${row.name} → ${row.status}`, async () => {
      const before = await snapshot(h);
      const r = await rawExchange(h.gw.dataUrl, rawGet(row.target, [bearer(key)]));
      await assertRejected(h, before, fromRaw(r), row);
    });
  }

  for (const row of forwarded) {
    it(`forwards ${row.name} as ${row.upstreamPath}`, async () => {
      const before = h.upstream.seen.length;
      const r = await rawExchange(h.gw.dataUrl, rawGet(row.target, [bearer(key), 'Host: evil.com']));
      assert.equal(r.statuses[0], 200);
      assert.equal(h.upstream.seen.length, before + 1);
      const seen = h.upstream.seen.at(-1)!;
      assert.equal(seen.url, row.upstreamPath);
      assert.equal(seen.headers.host, upstreamHost, 'the upstream Host comes from the route, never the request');
      // The gateway tells the upstream which request this is; the audit record shows the authorized path.
      const rec = (await h.requestAudit()).find((a) => a.requestId === seen.headers['x-gatehouse-request-id']);
      assert.equal(rec?.decision, 'allow');
      assert.equal(rec?.path, decodeURIComponent(row.upstreamPath.split('?')[0]!));
    });
  }

  it('29 slash and dot variants share one rate-limit bucket (burst 2, then 429)', async () => {
    const statuses: (number | undefined)[] = [];
    for (const target of ['/limited/a', '//limited//a', '/limited/x/../a']) {
      statuses.push((await rawExchange(h.gw.dataUrl, rawGet(target, [bearer(key)]))).statuses[0]);
    }
    assert.deepEqual(statuses, [200, 200, 429]);
  });
});
