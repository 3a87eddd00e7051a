import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { startHarness, type Harness } from '../helpers/gateway-harness.ts';
import type { SeenRequest } from '../helpers/recording-upstream.ts';
import { attackConfig, bearer, rawExchange, rawGet } from './attack-kit.ts';

// SECURITY-CASES 31 (identity namespace) and 32 (client address). These requests are allowed;
// the attack is on what the upstream believes, so the assertions are on what it received.

/** Header names an upstream framework may map onto ours: CGI/WSGI/Rack turn `-` and `_` into one. */
const looksLikeIdentity = (name: string): boolean => name.toLowerCase().replace(/_/g, '-').startsWith('x-gatehouse-');

function identityOf(seen: SeenRequest): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < seen.rawHeaders.length; i += 2) {
    if (looksLikeIdentity(seen.rawHeaders[i]!)) out.push([seen.rawHeaders[i]!.toLowerCase(), seen.rawHeaders[i + 1]!]);
  }
  return out.sort(([a], [b]) => a.localeCompare(b));
}

const forged = [
  'X-Gatehouse-Agent: admin', 'x-gatehouse-agent-id: agt_admin', 'X-GATEHOUSE-SCOPES: everything',
  'x-GateHouse-Credential-Id: key_admin', 'X-Gatehouse-Spiffe-Id: spiffe://gatehouse.local/agent/admin',
  'X-Gatehouse-Request-Id: req_forged', 'X-Gatehouse-Auth: public', 'X-Gatehouse-Identity-Assertion: eyJhbGciOiJub25lIn0.e30.',
  'X-Gatehouse-Identity: eyJhbGciOiJub25lIn0.eyJhZ2VudCI6ImFkbWluIn0.', 'X-Gatehouse-Credential-Type: admin', 'X-Gatehouse-Subject: admin',
];

interface Row { name: string; headers: string[] }
const rows: Row[] = [
  { name: 'forged identity headers in any case', headers: forged },
  { name: 'forged headers sent twice', headers: [...forged, ...forged] },
  { name: 'Connection nominates our identity header (hop-by-hop stripping trick)', headers: ['Connection: x-gatehouse-agent, X-Gatehouse-Agent-Id, x-gatehouse-scopes', ...forged] },
  { name: 'Connection nominates x-forwarded-for', headers: ['Connection: X-Forwarded-For', 'X-Forwarded-For: 10.0.0.1'] },
  { name: 'underscore spelling (X_Gatehouse_Agent) that CGI-style upstreams merge with ours', headers: ['X_Gatehouse_Agent: admin', 'x_gatehouse_scopes: everything'] },
  { name: 'empty forged values', headers: ['X-Gatehouse-Agent:', 'X-Gatehouse-Scopes:'] },
];

describe('identity headers (case 31)', () => {
  let h: Harness;
  let me: { key: string; keyId: string; agentId: string };
  before(async () => {
    h = await startHarness((u) => attackConfig(u));
    me = await h.agentWithKey('reader-1', { labels: ['reader'], scopes: ['tasks:read'] });
  });
  after(() => h.close());

  for (const row of rows) {
    it(`${row.name}: the upstream sees only Gatehouse's values`, async () => {
      const r = await rawExchange(h.gw.dataUrl, rawGet('/api/x', [bearer(me.key), ...row.headers]));
      assert.equal(r.statuses[0], 200);
      const seen = h.upstream.seen.at(-1)!;
      const requestId = seen.headers['x-gatehouse-request-id'] as string;
      assert.match(requestId, /^req_/);
      // The one identity assertion present is Gatehouse's own, signed with its key.
      const assertion = seen.headers['x-gatehouse-identity'] as string;
      const { payload } = await jwtVerify(assertion, createLocalJWKSet(h.core.oauth.keys.jwks() as never), { typ: 'gatehouse-identity+jwt' });
      assert.equal(payload.agent, 'reader-1');
      assert.deepEqual(identityOf(seen), [
        ['x-gatehouse-agent', 'reader-1'],
        ['x-gatehouse-agent-id', me.agentId],
        ['x-gatehouse-credential-id', me.keyId],
        ['x-gatehouse-credential-type', 'api_key'],
        ['x-gatehouse-identity', assertion],
        ['x-gatehouse-request-id', requestId],
        ['x-gatehouse-scopes', 'tasks:read'],
        ['x-gatehouse-spiffe-id', 'spiffe://gatehouse.local/agent/reader-1'],
      ]);
      assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
      const rec = (await h.requestAudit()).find((a) => a.requestId === requestId);
      assert.equal(rec?.agentName, 'reader-1');
    });
  }

  it('on a public route no identity is claimed, whatever the client sends', async () => {
    const r = await rawExchange(h.gw.dataUrl, rawGet('/public/x', forged));
    assert.equal(r.statuses[0], 200);
    const seen = h.upstream.seen.at(-1)!;
    assert.deepEqual(identityOf(seen), [['x-gatehouse-auth', 'public'], ['x-gatehouse-request-id', seen.headers['x-gatehouse-request-id'] as string]]);
    assert.notEqual(seen.headers['x-gatehouse-request-id'], 'req_forged');
  });
});

describe('client address (case 32)', () => {
  const spoof = ['X-Forwarded-For: 6.6.6.6, 9.9.9.9'];

  async function clientAddressWith(h: Harness, headers: string[]): Promise<{ audited: string | null | undefined; upstreamXff: string }> {
    const me = await h.agentWithKey(`reader-${Math.random().toString(36).slice(2, 8)}`, { labels: ['reader'] });
    const r = await rawExchange(h.gw.dataUrl, rawGet('/api/x', [bearer(me.key), ...headers]));
    assert.equal(r.statuses[0], 200);
    const seen = h.upstream.seen.at(-1)!;
    const rec = (await h.requestAudit()).find((a) => a.requestId === seen.headers['x-gatehouse-request-id']);
    return { audited: rec?.clientAddress, upstreamXff: seen.headers['x-forwarded-for'] as string };
  }

  it('behind a trusted proxy the client is the right-most untrusted hop', async () => {
    const h = await startHarness((u) => attackConfig(u, { trustedProxies: ['127.0.0.1'] }));
    try {
      const got = await clientAddressWith(h, spoof);
      assert.equal(got.audited, '9.9.9.9');
      // Edge-proxy semantics (as nginx's $proxy_add_x_forwarded_for): the trusted chain plus the hop we saw.
      assert.equal(got.upstreamXff, '6.6.6.6, 9.9.9.9, 127.0.0.1');
      // Unparseable hops stop the walk at the last hop we know is real (the trusted peer).
      assert.equal((await clientAddressWith(h, ['X-Forwarded-For: 9.9.9.9, not-an-ip'])).audited, '127.0.0.1');
      // The request failing auth is attributed (and locked out) by the same address.
      const bad = await rawExchange(h.gw.dataUrl, rawGet('/api/x', [...spoof, 'X-API-Key: nope']));
      const rec = (await h.requestAudit()).find((a) => a.requestId === bad.headers['x-gatehouse-request-id']);
      assert.equal(rec?.clientAddress, '9.9.9.9');
    } finally {
      await h.close();
    }
  });

  it('without trusted proxies the socket peer is the client and the spoofed chain is discarded', async () => {
    const h = await startHarness((u) => attackConfig(u));
    try {
      const got = await clientAddressWith(h, [...spoof, 'X-Real-IP: 6.6.6.6', 'Forwarded: for=6.6.6.6']);
      assert.equal(got.audited, '127.0.0.1');
      assert.equal(got.upstreamXff, '127.0.0.1');
      const seen = h.upstream.seen.at(-1)!;
      assert.equal(seen.headers['x-real-ip'], undefined);
      assert.equal(seen.headers.forwarded, undefined);
    } finally {
      await h.close();
    }
  });
});
