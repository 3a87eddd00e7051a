import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { AuthorizationAnswer } from '@cedar-policy/cedar-wasm/nodejs';
import type { RuleConfig } from '../config/schema.ts';
import { ConfigError } from '../core/errors.ts';
import { PolicyEngine } from './policy-engine.ts';
import type { PolicyEngineInput, PolicyEvaluator, PolicyRequest } from './policy-engine.ts';

const JAN1 = Date.UTC(2026, 0, 1, 12); // a Thursday, 12:00 UTC
const req = (over: Partial<PolicyRequest> & { labels?: string[]; name?: string } = {}): PolicyRequest => {
  const { labels, name, ...rest } = over;
  return {
    agent: { id: `agt_${name ?? 'bob'}`, name: name ?? 'bob', owner: 'ops', labels: labels ?? ['reader'], scopes: ['read'] },
    method: 'GET', path: '/api/agents/x', routeId: 'main', clientAddress: '127.0.0.1', credentialType: 'api_key', now: JAN1, ...rest,
  };
};
const readers: RuleConfig = { id: 'readers', effect: 'permit', agents: { labels: ['reader'] }, methods: ['GET'], paths: ['/api/*'] };
const load = (input: Partial<PolicyEngineInput>) => PolicyEngine.load({ rules: [], cedarSources: [], cacheSize: 100, ...input });

test('no policies: everything is denied by default', () => {
  const engine = load({});
  assert.deepEqual(engine.policyIds, []);
  for (const method of ['GET', 'POST', 'DELETE']) assert.deepEqual(engine.authorize(req({ method })), { decision: 'deny', reasons: ['default_deny'], cached: false });
});

test('a label rule allows GET /api/agents/x but not POST, nor an agent without the label', () => {
  const engine = load({ rules: [readers], cacheSize: 0 });
  assert.deepEqual(engine.authorize(req()), { decision: 'allow', reasons: ['policy_permit', 'policy:readers'], cached: false });
  assert.deepEqual(engine.authorize(req({ method: 'POST' })).reasons, ['default_deny']);
  assert.deepEqual(engine.authorize(req({ labels: ['writer'] })).reasons, ['default_deny']);
});

test('forbid overrides permit and is named in the reasons', () => {
  const forbid: RuleConfig = { id: 'no-agents', effect: 'forbid', agents: {}, methods: ['*'], paths: ['/api/agents/*'] };
  const engine = load({ rules: [readers, forbid] });
  assert.deepEqual(engine.authorize(req()), { decision: 'deny', reasons: ['policy_forbid', 'policy:no-agents'], cached: false });
  assert.equal(engine.authorize(req({ path: '/api/other' })).decision, 'allow');
});

test('methods outside the Cedar schema are denied before Cedar runs, even under "*"', () => {
  const engine = load({ rules: [{ ...readers, methods: ['*'] }] });
  for (const method of ['TRACE', 'CONNECT', 'get', '']) assert.deepEqual(engine.authorize(req({ method })).reasons, ['default_deny'], method);
});

test('raw .cedar text sees the documented principal, resource and context', () => {
  const text = `
    @id("office-hours") permit(principal, action == Gatehouse::Action::"GET", resource)
      when { context.hourUtc >= 9 && context.hourUtc < 17 && context.weekdayUtc == 4 && principal.owner == "ops" && resource.route == "main" };
    forbid(principal, action, resource) when { context.clientAddress == "10.0.0.9" || principal.id == "agt_eve" };`;
  const engine = load({ cedarSources: [{ source: 'hours.cedar', text }] });
  assert.deepEqual(engine.policyIds, ['office-hours', 'hours.cedar#1']);
  assert.equal(engine.authorize(req()).decision, 'allow');
  assert.equal(engine.authorize(req({ now: JAN1 + 6 * 3600_000 })).decision, 'deny'); // 18:00: a different cache bucket
  assert.equal(engine.authorize(req({ now: JAN1 + 24 * 3600_000 })).decision, 'deny'); // Friday
  assert.deepEqual(engine.authorize(req({ clientAddress: '10.0.0.9' })).reasons, ['policy_forbid', 'policy:hours.cedar#1']);
  assert.equal(engine.authorize(req({ name: 'eve' })).decision, 'deny');
  assert.equal(engine.authorize(req({ credentialType: 'api_key', routeId: 'other' })).decision, 'deny');
});

test('a caller cannot forge {agent} with a literal path segment', () => {
  const rule: RuleConfig = { id: 'own', effect: 'permit', agents: {}, methods: ['GET'], paths: ['/agents/{agent}/*'] };
  const engine = load({ rules: [rule] });
  assert.equal(engine.authorize(req({ path: '/agents/bob/data' })).decision, 'allow');
  assert.equal(engine.authorize(req({ name: 'alice', path: '/agents/bob/data' })).decision, 'deny');
  assert.equal(engine.authorize(req({ name: 'alice', path: '/agents/{agent}/data' })).decision, 'deny');
});

const refusal = (input: Partial<PolicyEngineInput>, ...patterns: RegExp[]) =>
  assert.throws(() => load(input), (err: unknown) => {
    assert.ok(err instanceof ConfigError, String(err));
    for (const p of patterns) assert.match(err.message, p);
    return true;
  });

test('unparseable Cedar is refused with a ConfigError naming the file and position', () => {
  refusal({ cedarSources: [{ source: 'broken.cedar', text: 'permit(principal, action, resource)\nwhen { ' }] }, /broken\.cedar/, /line 2/);
});

test('Cedar that fails schema validation is refused, naming the policy and its file', () => {
  const text = '@id("typo") permit(principal, action, resource) when { principal.lables.contains("x") };';
  refusal({ cedarSources: [{ source: 'typo.cedar', text }] }, /policy "typo" \(typo\.cedar\)/, /lables/);
  refusal({ cedarSources: [{ source: 'act.cedar', text: 'permit(principal, action == Gatehouse::Action::"TRACE", resource);' }] }, /act\.cedar#0/);
});

test('duplicate policy ids are refused', () => {
  refusal({ rules: [readers], cedarSources: [{ source: 'a.cedar', text: '@id("readers") forbid(principal, action, resource);' }] }, /duplicate policy id "readers"/);
  refusal({ rules: [readers, { ...readers }] }, /duplicate policy id "readers" \(policies\.rules\[0\] and policies\.rules\[1\]\)/);
});

test('version identifies the policy set', () => {
  assert.equal(load({ rules: [readers] }).version, load({ rules: [readers], cacheSize: 0 }).version);
  assert.notEqual(load({ rules: [readers] }).version, load({ rules: [{ ...readers, methods: ['GET', 'HEAD'] }] }).version);
  assert.match(load({}).version, /^[0-9a-f]{64}$/);
});

test('repeat requests are cached; every input tuple field separates entries', () => {
  const engine = load({ rules: [readers] });
  assert.equal(engine.authorize(req()).cached, false);
  assert.deepEqual(engine.authorize(req()), { decision: 'allow', reasons: ['policy_permit', 'policy:readers'], cached: true });
  assert.equal(engine.authorize(req({ labels: ['x', 'reader'] })).cached, false);
  assert.equal(engine.authorize(req({ labels: ['reader', 'x'] })).cached, true); // sets: order is irrelevant
  // Same agent id/name, different labels: no cross-talk in either direction.
  assert.deepEqual(engine.authorize(req({ labels: ['writer'] })), { decision: 'deny', reasons: ['default_deny'], cached: false });
  assert.equal(engine.authorize(req()).decision, 'allow');
  const variants: Partial<PolicyRequest>[] = [{ method: 'HEAD' }, { path: '/other' }, { routeId: 'r2' }, { clientAddress: '::1' }, { now: JAN1 + 3600_000 }, { now: JAN1 + 86_400_000 }];
  for (const v of variants) assert.equal(engine.authorize(req(v)).cached, false, JSON.stringify(v));
  assert.equal(engine.authorize(req({ now: JAN1 + 59 * 60_000 })).cached, true); // same UTC hour
});

test('compiled rules: paths that pass the same path tests share a cache entry; raw Cedar keys by the exact path', () => {
  const rules: RuleConfig[] = [readers, { id: 'no-secret', effect: 'forbid', agents: {}, methods: ['*'], paths: ['/api/secret/*'] }, { id: 'own', effect: 'permit', agents: {}, methods: ['GET'], paths: ['/files/{agent}/*'] }];
  const engine = load({ rules });
  assert.equal(engine.authorize(req({ path: '/api/tasks/1' })).cached, false);
  assert.deepEqual(engine.authorize(req({ path: '/api/tasks/2' })), { decision: 'allow', reasons: ['policy_permit', 'policy:readers'], cached: true });
  // A path that passes another test is a different entry, with its own decision.
  assert.deepEqual(engine.authorize(req({ path: '/api/secret/1' })), { decision: 'deny', reasons: ['policy_forbid', 'policy:no-secret'], cached: false });
  assert.equal(engine.authorize(req({ path: '/api/secret' })).cached, true);
  // {agent} tests depend on the caller: bob's own files and alice's are different entries.
  assert.equal(engine.authorize(req({ path: '/files/bob/a', labels: [] })).decision, 'allow');
  assert.deepEqual(engine.authorize(req({ path: '/files/alice/a', labels: [] })), { decision: 'deny', reasons: ['default_deny'], cached: false });
  assert.equal(engine.authorize(req({ path: '/files/bob/b', labels: [] })).cached, true);
  const raw = load({ rules: [], cedarSources: [{ source: 'x.cedar', text: '@id("r") permit(principal, action, resource) when { resource.path like "*1" };' }] });
  assert.equal(raw.authorize(req({ path: '/api/tasks/1' })).decision, 'allow');
  assert.deepEqual(raw.authorize(req({ path: '/api/tasks/2' })), { decision: 'deny', reasons: ['default_deny'], cached: false });
});

test('the path-signature cache never changes a decision (cached engine vs uncached, many paths and callers)', () => {
  const rules: RuleConfig[] = [
    readers,
    { id: 'no-secret', effect: 'forbid', agents: {}, methods: ['*'], paths: ['/api/secret/*', '/admin'] },
    { id: 'own', effect: 'permit', agents: {}, methods: ['GET', 'POST'], paths: ['/files/{agent}/*', '/agents/{agent}'] },
    { id: 'root', effect: 'permit', agents: { names: ['root'] }, methods: ['*'], paths: ['/*'] },
  ];
  const cached = load({ rules, cacheSize: 10_000 });
  const uncached = load({ rules, cacheSize: 0 });
  const paths = ['/', '/api', '/api/', '/api/x', '/api/secret', '/api/secret/', '/api/secretx', '/admin', '/admin/x', '/files', '/files/bob', '/files/bob/x',
    '/files/alice/x', '/files/files/x', '/agents/bob', '/agents/agents', '/agents/bob/x', '/apix', '/files/%7Bagent%7D/x', '/files/{agent}/x'];
  const callers = [{ name: 'bob', labels: ['reader'] }, { name: 'alice', labels: [] }, { name: 'files', labels: [] }, { name: 'agents', labels: ['reader'] }, { name: 'root', labels: [] }];
  for (let round = 0; round < 2; round++) {
    for (const path of paths) {
      for (const c of callers) {
        for (const method of ['GET', 'POST']) {
          const r = req({ path, method, name: c.name, labels: c.labels });
          const a = cached.authorize(r);
          const b = uncached.authorize(r);
          assert.deepEqual([a.decision, a.reasons], [b.decision, b.reasons], `${c.name} ${method} ${path}`);
        }
      }
    }
  }
});

test('cache size 0 disables the cache; the LRU evicts the least recently used entry', () => {
  const off = load({ rules: [readers], cacheSize: 0 });
  off.authorize(req());
  assert.equal(off.authorize(req()).cached, false);
  const small = load({ rules: [readers], cacheSize: 2 });
  // Distinct entries: different callers (paths under one rule would share an entry).
  for (const n of ['a', 'b', 'a', 'c']) small.authorize(req({ name: n }));
  assert.equal(small.authorize(req({ name: 'a' })).cached, true);
  assert.equal(small.authorize(req({ name: 'b' })).cached, false);
});

const cedarEval: PolicyEvaluator = (call) => cedar.statefulIsAuthorized(call);
const faults: [string, PolicyEvaluator][] = [
  ['Cedar throws', () => { throw new Error('wasm trap'); }],
  ['Cedar reports failure', () => ({ type: 'failure', errors: [{ message: 'boom', help: null, code: null, url: null, severity: null }], warnings: [] })],
  ['an allow carries diagnostic errors', (call) => {
    const a = cedarEval(call);
    if (a.type !== 'success') return a;
    const error = { message: 'overflow', help: null, code: null, url: null, severity: null };
    return { ...a, response: { ...a.response, diagnostics: { reason: a.response.diagnostics.reason, errors: [{ policyId: 'readers', error }] } } };
  }],
  ['an allow names no policy', () => ({ type: 'success', response: { decision: 'allow', diagnostics: { reason: [], errors: [] } }, warnings: [] })],
  ['the answer is garbage', () => undefined as unknown as AuthorizationAnswer],
];
for (const [name, evaluate] of faults) {
  test(`fail closed when ${name}: decision error, never cached`, () => {
    let calls = 0;
    const engine = load({ rules: [readers], evaluate: (c) => (calls++, evaluate(c)) });
    for (let i = 1; i <= 2; i++) {
      assert.deepEqual(engine.authorize(req()), { decision: 'error', reasons: ['policy_error'], cached: false });
      assert.equal(calls, i);
    }
    assert.equal(engine.explain(req()).decision, 'error');
  });
}

test('a bad request time or a malformed agent is an error, not a deny or allow', () => {
  const engine = load({ rules: [readers] });
  assert.equal(engine.authorize(req({ now: Number.NaN })).decision, 'error');
  const bad = req();
  (bad.agent as { labels: unknown }).labels = 'reader';
  assert.equal(engine.authorize(bad).decision, 'error');
});

test('explain bypasses the cache and returns the determining policies with their text', () => {
  const engine = load({ rules: [readers], cedarSources: [{ source: 'f.cedar', text: '@id("deny-x") forbid(principal, action, resource) when { resource.path == "/api/x" };' }] });
  engine.authorize(req());
  const allowed = engine.explain(req());
  assert.equal(allowed.cached, false);
  assert.deepEqual(allowed.policies.map((p) => p.id), ['readers']);
  assert.match(allowed.policies[0]!.text, /^@id\("readers"\)\npermit/);
  const denied = engine.explain(req({ path: '/api/x' }));
  assert.deepEqual(denied.reasons, ['policy_forbid', 'policy:deny-x']);
  assert.match(denied.policies[0]!.text, /forbid\(principal/);
  assert.deepEqual(engine.explain(req({ path: '/nope' })).policies, []);
  assert.equal(engine.policyText('deny-x'), denied.policies[0]!.text);
});

test('delegated tokens: policy sees depth, subject and actors, and the cache keeps them apart', () => {
  const noDelegatedDeletes = 'forbid (principal, action == Gatehouse::Action::"DELETE", resource) when { context.delegationDepth > 0 };';
  const onlyForAlice = 'permit (principal, action, resource) when { context.subject == "user:alice" || context.delegationDepth == 0 };';
  const engine = load({ cedarSources: [{ source: 'delegation.cedar', text: `${noDelegatedDeletes}\n${onlyForAlice}` }] });
  const delegated = (subject: string, method = 'GET') => req({ method, credentialType: 'jwt', delegation: { subject, actors: ['spiffe://gatehouse.local/agent/bob'] } });
  assert.equal(engine.authorize(req({ method: 'DELETE', credentialType: 'jwt' })).decision, 'allow', 'direct call');
  assert.equal(engine.authorize(delegated('user:alice', 'DELETE')).decision, 'deny', 'delegated delete');
  assert.equal(engine.authorize(delegated('user:alice')).decision, 'allow');
  assert.equal(engine.authorize(delegated('user:mallory')).decision, 'deny', 'same agent and path, other subject: not a cache hit');
});
