import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/gateway-harness.ts';
import { assertRejected, attackConfig, bearer, fromRaw, rawExchange, rawGet, snapshot } from './attack-kit.ts';

// SECURITY-CASES 22 (API keys) and 41 (no plaintext secret at rest). Requests go over a raw
// socket: fetch's Headers would strip the trailing whitespace/newline we want the gateway to see.

interface Issued { key: string; keyId: string; agentId: string }

interface Row {
  name: string;
  /** Builds the request from a freshly issued key (after `setup`, if any, has run). */
  request: (k: Issued) => string;
  setup?: (h: Harness, k: Issued) => Promise<unknown>;
  status: number;
  reason: string;
}

/** Changes the last character: still well-formed base62, but another key (checksum now wrong). */
const otherKey = (key: string): string => key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');

const rows: Row[] = [
  // A bare LF or CR inside a header line is not HTTP: Node's strict parser refuses the whole request (400).
  { name: 'trailing LF after the key', request: (k) => rawGet('/api/x', [`${bearer(k.key)}\n`]), status: 400, reason: 'bad_request' },
  { name: 'trailing CR after the key', request: (k) => rawGet('/api/x', [`${bearer(k.key)}\r`]), status: 400, reason: 'bad_request' },
  { name: 'X-API-Key with trailing LF', request: (k) => rawGet('/api/x', [`X-API-Key: ${k.key}\n`]), status: 400, reason: 'bad_request' },
  { name: 'NUL byte after the key', request: (k) => rawGet('/api/x', [`${bearer(k.key)}\0`]), status: 400, reason: 'bad_request' },
  // Whitespace that survives parsing is never trimmed by the gateway.
  { name: 'two spaces after Bearer', request: (k) => rawGet('/api/x', [`Authorization: Bearer  ${k.key}`]), status: 401, reason: 'credential_malformed' },
  { name: 'key followed by a space and junk', request: (k) => rawGet('/api/x', [`${bearer(k.key)} x`]), status: 401, reason: 'credential_malformed' },
  { name: 'key followed by a vertical tab', request: (k) => rawGet('/api/x', [`${bearer(k.key)}\v`]), status: 400, reason: 'bad_request' },
  { name: 'a different key + trailing space', request: (k) => rawGet('/api/x', [`${bearer(otherKey(k.key))} `]), status: 401, reason: 'credential_malformed' },
  { name: 'key prefix only', request: (k) => rawGet('/api/x', [bearer(k.key.slice(0, -6))]), status: 401, reason: 'credential_malformed' },
  { name: 'lower-case copy of the key', request: (k) => rawGet('/api/x', [bearer(k.key.toLowerCase())]), status: 401, reason: 'credential_malformed' },
  { name: 'Bearer and X-API-Key together', request: (k) => rawGet('/api/x', [bearer(k.key), `X-API-Key: ${k.key}`]), status: 401, reason: 'credential_ambiguous' },
  { name: 'two Authorization headers', request: (k) => rawGet('/api/x', [bearer(k.key), bearer(k.key)]), status: 401, reason: 'credential_ambiguous' },
  // Keys in the query string end up in logs and browser history: refused before any lookup.
  { name: '?api_key=', request: (k) => rawGet(`/api/x?api_key=${k.key}`), status: 401, reason: 'credential_in_query' },
  { name: '?access_token=', request: (k) => rawGet(`/api/x?access_token=${k.key}`), status: 401, reason: 'credential_in_query' },
  { name: '?X-API-Key= (encoded name)', request: (k) => rawGet(`/api/x?X%2DAPI%2DKey=${k.key}`), status: 401, reason: 'credential_in_query' },
  { name: 'key under an innocent name', request: (k) => rawGet(`/api/x?q=1&cursor=${k.key}`), status: 401, reason: 'credential_in_query' },
  { name: 'key in header and query', request: (k) => rawGet(`/api/x?api_key=${k.key}`, [bearer(k.key)]), status: 401, reason: 'credential_in_query' },
  // Lifecycle: refused on the very next request.
  { name: 'revoked key', setup: (h, k) => h.core.keys.revoke(k.keyId, 'test'), request: (k) => rawGet('/api/x', [bearer(k.key)]), status: 401, reason: 'credential_revoked' },
  { name: 'expired key', setup: (h, k) => h.core.store.updateApiKey(k.keyId, { expiresAt: Date.now() - 1 }), request: (k) => rawGet('/api/x', [bearer(k.key)]), status: 401, reason: 'credential_expired' },
  { name: 'suspended agent', setup: (h, k) => h.core.agents.setStatus(k.agentId, 'suspended', 'test'), request: (k) => rawGet('/api/x', [`X-API-Key: ${k.key}`]), status: 401, reason: 'agent_suspended' },
  { name: 'revoked agent', setup: (h, k) => h.core.agents.setStatus(k.agentId, 'revoked', 'test'), request: (k) => rawGet('/api/x', [bearer(k.key)]), status: 401, reason: 'agent_revoked' },
];

describe('API keys (case 22) and no plaintext secret at rest (case 41)', () => {
  let h: Harness;
  const presented: string[] = []; // every key this suite sent, for the at-rest scan
  let n = 0;
  const freshKey = async (): Promise<Issued> => {
    const k = await h.agentWithKey(`reader-${++n}`, { labels: ['reader'] });
    presented.push(k.key);
    return k;
  };
  before(async () => {
    h = await startHarness((u) => attackConfig(u));
  });
  after(() => h.close());

  for (const row of rows) {
    it(`${row.name} → ${row.status}`, async () => {
      const k = await freshKey();
      // The key works until the attack row's setup runs: the refusal below is caused by the row.
      assert.equal((await rawExchange(h.gw.dataUrl, rawGet('/api/x', [bearer(k.key)]))).statuses[0], 200);
      await row.setup?.(h, k);
      const before = await snapshot(h);
      const r = await rawExchange(h.gw.dataUrl, row.request(k));
      await assertRejected(h, before, fromRaw(r), row);
    });
  }

  it('a trailing space or tab is optional whitespace (RFC 9110 §5.5): stripped by the parser, the same key is accepted', async () => {
    // Node's parser removes trailing OWS before the gateway sees the value, so what arrives is the
    // exact issued key; the secure outcome is that only THAT key's identity is used, never another.
    for (const suffix of [' ', '\t', '  \t ']) {
      const k = await freshKey();
      const before = h.upstream.seen.length;
      const r = await rawExchange(h.gw.dataUrl, rawGet('/api/x', [`${bearer(k.key)}${suffix}`]));
      assert.equal(r.statuses[0], 200, JSON.stringify(suffix));
      assert.equal(h.upstream.seen.length, before + 1);
      const seen = h.upstream.seen.at(-1)!;
      assert.equal(seen.headers['x-gatehouse-credential-id'], k.keyId);
      const rec = (await h.requestAudit()).find((a) => a.requestId === seen.headers['x-gatehouse-request-id']);
      assert.equal(rec?.credentialId, k.keyId);
    }
  });

  it('the database files and the audit log never hold a plaintext key or the server secret', async () => {
    await h.requestAudit(); // flush everything the rows above produced
    await h.core.keys.flushLastUsed();
    const db = join(h.dir, 'gatehouse.db');
    const files = [db, `${db}-wal`].filter((f) => existsSync(f));
    assert.ok(files.length > 0);
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    const secret = readFileSync(join(h.dir, 'server.secret'), 'utf8').trim();
    assert.ok(presented.length >= rows.length && secret.length >= 32);
    for (const key of presented) {
      assert.equal(bytes.includes(key), false, 'plaintext key in the database files');
      assert.equal(bytes.includes(key.slice(4)), false, 'key body (without prefix) in the database files');
    }
    assert.equal(bytes.includes(secret), false, 'server secret in the database files');
    const audit = JSON.stringify(await h.core.store.queryAudit({ limit: 10_000, order: 'asc' }));
    assert.ok(audit.includes('credential_in_query'), 'the query-string rows were audited');
    for (const key of presented) assert.equal(audit.includes(key.slice(4, 20)), false, 'key material in the audit log');
  });
});
