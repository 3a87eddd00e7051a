import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from './canonical-json.ts';
import { auditBody, ChainVerifier, chainEntries, GENESIS_HASH, hashRecord } from './hash-chain.ts';
import type { AuditEntry, AuditRecord } from './types.ts';

const entry = (n: number, over: Partial<AuditEntry> = {}): AuditEntry => ({
  time: 1_780_000_000_000 + n, kind: 'request', requestId: `req_${n}`, agentId: 'agt_1', agentName: 'a', credentialId: 'key_1',
  clientAddress: '127.0.0.1', method: 'GET', path: `/api/${n}`, routeId: 'api', decision: 'allow', reasons: ['authenticated', 'policy:x'],
  upstreamStatus: 200, latencyMs: 0.5, action: null, actor: null, details: null, ...over,
});

describe('hash chain (pure)', () => {
  it('auditBody is exactly canonicalJson of { seq, ...entry } (the stored hashes depend on it)', () => {
    const variants: Partial<AuditEntry>[] = [
      {}, { details: { b: [1, { z: 'é', a: null }], a: 'x"y\\n' } }, { reasons: [] }, { path: null, method: null, latencyMs: null },
      { action: 'agent.create', actor: 'cli:root', kind: 'admin' }, { upstreamStatus: undefined as unknown as null }, { path: '/ünï/\u2028' },
    ];
    for (const [i, v] of variants.entries()) {
      const e = entry(i, v);
      assert.equal(auditBody(i + 1, e), canonicalJson({ seq: i + 1, ...e }), JSON.stringify(v));
    }
  });

  it('chains entries from the genesis hash and from a head', () => {
    const first = chainEntries(undefined, [entry(1), entry(2)]);
    assert.deepEqual(first.map((r) => r.seq), [1, 2]);
    assert.equal(first[0]!.prevHash, GENESIS_HASH);
    assert.equal(first[1]!.prevHash, first[0]!.hash);
    assert.equal(first[1]!.hash, hashRecord(first[0]!.hash, 2, entry(2)));
    const next = chainEntries({ seq: 2, hash: first[1]!.hash }, [entry(3)]);
    assert.equal(next[0]!.seq, 3);
    assert.equal(next[0]!.prevHash, first[1]!.hash);
  });

  const verify = (records: AuditRecord[], head?: { seq: number; hash: string }) => {
    const v = new ChainVerifier();
    for (const r of records) v.push(r);
    return v.finish(head).map((p) => `${p.kind}@${p.seq}`);
  };
  const log = () => chainEntries(undefined, [1, 2, 3, 4, 5].map((n) => entry(n)));
  const headOf = (rs: AuditRecord[]) => ({ seq: rs.at(-1)!.seq, hash: rs.at(-1)!.hash });

  const tampering: Array<[string, (rs: AuditRecord[]) => AuditRecord[], string[]]> = [
    ['untouched', (rs) => rs, []],
    ['a field edited', (rs) => rs.map((r) => (r.seq === 3 ? { ...r, decision: 'deny' as const } : r)), ['edited@3']],
    ['a record deleted', (rs) => rs.filter((r) => r.seq !== 2), ['missing@2']],
    ['a record replaced by a forged, rehashed one', (rs) => rs.map((r) => (r.seq === 4 ? { ...r, ...entry(99), seq: 4, hash: hashRecord(r.prevHash, 4, entry(99)) } : r)), ['inserted@5']],
    ['the tail truncated', (rs) => rs.slice(0, 3), ['truncated@4']],
  ];
  for (const [name, tamper, expected] of tampering) {
    it(`verification: ${name}`, () => {
      const rs = log();
      assert.deepEqual(verify(tamper(rs), headOf(rs)), expected);
    });
  }
});
