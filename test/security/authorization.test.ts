import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthorizationAnswer } from '@cedar-policy/cedar-wasm/nodejs';
import { PolicyEngine, type PolicyEvaluator } from '../../src/policy/policy-engine.ts';
import { startHarness, type Harness } from '../helpers/gateway-harness.ts';
import { assertRejected, attackConfig, bearer, fromRaw, rawExchange, rawGet, snapshot } from './attack-kit.ts';

// SECURITY-CASES 36–39 (OWASP API1/API5: object- and function-level authorization; default deny;
// fail closed when the policy engine fails).

type Who = 'alice' | 'bob' | 'files' | 'reader' | 'writer';
interface Row { name: string; who: Who; method?: string; target: string; headers?: string[]; status: number; reason: string }

const rejected: Row[] = [
  // 36: `/files/{agent}/*` gives each owner only their own subtree
  { name: '36 alice on bob\'s file', who: 'alice', target: '/files/bob/report.txt', status: 403, reason: 'default_deny' },
  { name: '36 alice on bob\'s folder itself', who: 'alice', target: '/files/bob', status: 403, reason: 'default_deny' },
  { name: '36 alice climbs into bob\'s files', who: 'alice', target: '/files/alice/../bob/x', status: 403, reason: 'default_deny' },
  { name: '36 the literal placeholder %7Bagent%7D', who: 'alice', target: '/files/%7Bagent%7D/x', status: 403, reason: 'default_deny' },
  { name: '36 the literal placeholder {agent}', who: 'alice', target: '/files/{agent}/x', status: 403, reason: 'default_deny' },
  { name: '36 upper-case spelling of another owner', who: 'alice', target: '/files/BOB/x', status: 403, reason: 'default_deny' },
  { name: '36 an agent named like the literal segment ("files")', who: 'files', target: '/files/bob/x', status: 403, reason: 'default_deny' },
  { name: '36 own folder with a write method', who: 'alice', method: 'DELETE', target: '/files/alice/x', status: 403, reason: 'default_deny' },
  // 37: function-level authorization on the real method; override headers are refused outright
  { name: '37 reader POST', who: 'reader', method: 'POST', target: '/api/tasks', headers: ['Content-Length: 0'], status: 403, reason: 'default_deny' },
  { name: '37 reader DELETE', who: 'reader', method: 'DELETE', target: '/api/tasks/1', status: 403, reason: 'default_deny' },
  { name: '37 reader PUT', who: 'reader', method: 'PUT', target: '/api/tasks/1', headers: ['Content-Length: 0'], status: 403, reason: 'default_deny' },
  { name: '37 reader GET + X-HTTP-Method-Override: DELETE', who: 'reader', target: '/api/tasks/1', headers: ['X-HTTP-Method-Override: DELETE'], status: 400, reason: 'method_override_rejected' },
  { name: '37 reader GET + x-method-override', who: 'reader', target: '/api/tasks/1', headers: ['x-method-override: DELETE'], status: 400, reason: 'method_override_rejected' },
  { name: '37 reader GET + X-HTTP-Method', who: 'reader', target: '/api/tasks/1', headers: ['X-HTTP-Method: DELETE'], status: 400, reason: 'method_override_rejected' },
  { name: '37 reader GET + underscore spelling X_HTTP_Method_Override', who: 'reader', target: '/api/tasks/1', headers: ['X_HTTP_Method_Override: DELETE'], status: 400, reason: 'method_override_rejected' },
  { name: '37 reader GET + ?_method=DELETE query override', who: 'reader', target: '/api/tasks/1?_method=DELETE', headers: [], status: 400, reason: 'method_override_rejected' },
  { name: '37 reader GET + encoded %5Fmethod query override', who: 'reader', target: '/api/tasks/1?%5Fmethod=DELETE', headers: [], status: 400, reason: 'method_override_rejected' },
  { name: '37 override with an empty value', who: 'reader', target: '/api/tasks/1', headers: ['X-HTTP-Method-Override:'], status: 400, reason: 'method_override_rejected' },
  { name: '37 even a writer may not override', who: 'writer', method: 'POST', target: '/api/tasks/1', headers: ['X-HTTP-Method-Override: PUT', 'Content-Length: 0'], status: 400, reason: 'method_override_rejected' },
  { name: '37 TRACE', who: 'reader', method: 'TRACE', target: '/api/tasks', status: 405, reason: 'bad_request' },
  { name: '37 lower-case method', who: 'reader', method: 'delete', target: '/api/tasks/1', status: 400, reason: 'bad_request' },
  // 38: a route no rule mentions is denied by default, for everyone
  { name: '38 reader on an unmentioned route', who: 'reader', target: '/internal/config', status: 403, reason: 'default_deny' },
  { name: '38 writer POST on an unmentioned route', who: 'writer', method: 'POST', target: '/internal', headers: ['Content-Length: 0'], status: 403, reason: 'default_deny' },
];

const allowed: Row[] = [
  { name: '36 alice on her own file', who: 'alice', target: '/files/alice/report.txt', status: 200, reason: 'policy:own-files' },
  { name: '36 an agent named "files" on its own folder', who: 'files', target: '/files/files/x', status: 200, reason: 'policy:own-files' },
  { name: '37 reader GET', who: 'reader', target: '/api/tasks', status: 200, reason: 'policy:readers-read' },
];

describe('authorization (cases 36–38)', () => {
  let h: Harness;
  const keys = {} as Record<Who, string>;
  before(async () => {
    h = await startHarness((u) => attackConfig(u));
    for (const [who, label] of [['alice', 'owner'], ['bob', 'owner'], ['files', 'owner'], ['reader', 'reader'], ['writer', 'writer']] as const) {
      keys[who] = (await h.agentWithKey(who, { labels: [label] })).key;
    }
  });
  after(() => h.close());

  for (const row of rejected) {
    it(`${row.name} → ${row.status}`, async () => {
      const before = await snapshot(h);
      const r = await rawExchange(h.gw.dataUrl, rawGet(row.target, [bearer(keys[row.who]), ...(row.headers ?? [])], row.method));
      await assertRejected(h, before, fromRaw(r), row);
    });
  }

  for (const row of allowed) {
    it(`${row.name} → 200`, async () => {
      const before = h.upstream.seen.length;
      const r = await rawExchange(h.gw.dataUrl, rawGet(row.target, [bearer(keys[row.who])], row.method));
      assert.equal(r.statuses[0], 200);
      assert.equal(h.upstream.seen.length, before + 1);
      const rec = (await h.requestAudit()).find((a) => a.requestId === h.upstream.seen.at(-1)!.headers['x-gatehouse-request-id']);
      assert.ok(rec?.reasons.includes(row.reason as never), JSON.stringify(rec?.reasons));
    });
  }
});

const answer = (x: unknown): AuthorizationAnswer => x as AuthorizationAnswer;
const success = (decision: string, reason: string[], errors: unknown[] = []): AuthorizationAnswer =>
  answer({ type: 'success', response: { decision, diagnostics: { reason, errors } }, warnings: [] });

// 39: every way the engine can fail must end in 503 + decision=error, never in an allow.
const faults: { name: string; evaluate: PolicyEvaluator }[] = [
  { name: 'evaluate throws an Error', evaluate: () => { throw new Error('cedar crashed'); } },
  { name: 'evaluate throws a non-Error', evaluate: () => { throw 'boom'; } },
  { name: 'Cedar answers failure', evaluate: () => answer({ type: 'failure', errors: [{ message: 'bad entity' }], warnings: [] }) },
  { name: 'allow with evaluation errors', evaluate: () => success('allow', ['readers-read'], [{ policyId: 'readers-read', error: { message: 'overflow' } }]) },
  { name: 'allow that names no policy', evaluate: () => success('allow', []) },
  { name: 'an unknown decision', evaluate: () => success('maybe', ['readers-read']) },
  { name: 'no answer at all', evaluate: () => answer(undefined) },
];

describe('policy engine failure (case 39)', () => {
  let h: Harness;
  let key: string;
  before(async () => {
    h = await startHarness((u) => attackConfig(u));
    key = (await h.agentWithKey('reader', { labels: ['reader'] })).key;
  });
  after(() => h.close());

  for (const fault of faults) {
    it(`${fault.name} → 503 policy_error, decision=error`, async () => {
      const healthy = h.core.policy();
      const rules = [...h.core.loaded.config.policies.rules];
      h.gw.setPolicyForTesting(PolicyEngine.load({ rules, cedarSources: [], cacheSize: 0, evaluate: fault.evaluate }));
      try {
        const before = await snapshot(h);
        const r = await rawExchange(h.gw.dataUrl, rawGet('/api/tasks', [bearer(key)]));
        await assertRejected(h, before, fromRaw(r), { status: 503, reason: 'policy_error', decision: 'error' });
      } finally {
        h.gw.setPolicyForTesting(healthy);
      }
      // The same request is allowed by the healthy engine: the 503 came from the fault alone.
      assert.equal((await rawExchange(h.gw.dataUrl, rawGet('/api/tasks', [bearer(key)]))).statuses[0], 200);
    });
  }
});
