import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleConfig } from '../config/schema.ts';
import { ConfigError } from '../core/errors.ts';
import { cedarLike, cedarString } from './cedar-literals.ts';
import { compileRule, compileRules } from './compile-rules.ts';
import { PolicyEngine } from './policy-engine.ts';
import type { PolicyRequest } from './policy-engine.ts';

type RuleInput = Partial<RuleConfig> & Pick<RuleConfig, 'paths'>;
const rule = (r: RuleInput): RuleConfig => ({ id: 'r', effect: 'permit', agents: {}, methods: ['GET'], ...r });

interface Caller { name?: string; labels?: string[]; scopes?: string[]; method?: string; route?: string }
const request = (path: string, c: Caller = {}): PolicyRequest => ({
  agent: { id: `agt_${c.name ?? 'bob'}`, name: c.name ?? 'bob', owner: 'ops', labels: c.labels ?? [], scopes: c.scopes ?? [] },
  method: c.method ?? 'GET', path, routeId: c.route ?? 'main', clientAddress: '127.0.0.1', credentialType: 'api_key', now: Date.UTC(2026, 0, 1),
});

// Golden-free: each row's rules are compiled, loaded into a real engine, and decided by Cedar.
const table: { name: string; rules: RuleInput[]; cases: [path: string, caller: Caller, expected: 'allow' | 'deny'][] }[] = [
  { name: 'labels are all required', rules: [{ agents: { labels: ['reader', 'eu'] }, paths: ['/api/*'] }], cases: [
    ['/api/x', { labels: ['reader', 'eu'] }, 'allow'], ['/api/x', { labels: ['eu', 'extra', 'reader'] }, 'allow'],
    ['/api/x', { labels: ['reader'] }, 'deny'], ['/api/x', {}, 'deny']] },
  { name: 'names are any-of, methods any-of, exact path', rules: [{ agents: { names: ['alice', 'bob'] }, methods: ['GET', 'HEAD'], paths: ['/exact'] }], cases: [
    ['/exact', { name: 'alice' }, 'allow'], ['/exact', { name: 'bob', method: 'HEAD' }, 'allow'], ['/exact', { name: 'carol' }, 'deny'],
    ['/exact', { name: 'alice', method: 'POST' }, 'deny'], ['/exact/x', { name: 'alice' }, 'deny'], ['/exac', { name: 'alice' }, 'deny']] },
  { name: 'scopes are all required; "*" is any method', rules: [{ agents: { scopes: ['read', 'write'] }, methods: ['*'], paths: ['/s/*'] }], cases: [
    ['/s', { scopes: ['read', 'write'], method: 'DELETE' }, 'allow'], ['/s/a/b', { scopes: ['write', 'read'], method: 'OPTIONS' }, 'allow'],
    ['/s/a', { scopes: ['read'] }, 'deny'], ['/s/a', { scopes: ['read', 'write'], method: 'TRACE' }, 'deny']] },
  { name: 'routes are any-of', rules: [{ routes: ['r1', 'r2'], paths: ['/r'] }], cases: [
    ['/r', { route: 'r1' }, 'allow'], ['/r', { route: 'r2' }, 'allow'], ['/r', { route: 'r3' }, 'deny']] },
  { name: 'prefix matches itself and below, not siblings', rules: [{ paths: ['/api/*'] }], cases: [
    ['/api', {}, 'allow'], ['/api/', {}, 'allow'], ['/api/a/b', {}, 'allow'], ['/apix', {}, 'deny'], ['/ap', {}, 'deny'], ['/', {}, 'deny'], ['/x/api', {}, 'deny']] },
  { name: '"/*" matches every path', rules: [{ paths: ['/*'] }], cases: [['/', {}, 'allow'], ['/a/b', {}, 'allow']] },
  { name: 'paths are any-of', rules: [{ paths: ['/a', '/b/*'] }], cases: [['/a', {}, 'allow'], ['/b/c', {}, 'allow'], ['/a/c', {}, 'deny'], ['/c', {}, 'deny']] },
  { name: '{agent} scopes resources to the caller', rules: [{ paths: ['/agents/{agent}/*'] }], cases: [
    ['/agents/bob', {}, 'allow'], ['/agents/bob/x/bob', {}, 'allow'], ['/agents/eve/x', {}, 'deny'], ['/agents/bobby/x', {}, 'deny'],
    ['/agents/{agent}/x', {}, 'deny'], ['/agents/{agent}', { name: 'eve' }, 'deny'], ['/agents/%7Bagent}/x', {}, 'deny'],
    ['/agents/agents/x', { name: 'agents' }, 'allow'], ['/agents/eve', { name: 'agents' }, 'deny']] },
  { name: '{agent} forbid holds even when a literal segment equals the caller name', rules: [
    { id: 'all', paths: ['/agents/*'] }, { id: 'secret', effect: 'forbid', paths: ['/agents/{agent}/secret'] }], cases: [
    ['/agents/bob/secret', {}, 'deny'], ['/agents/agents/secret', { name: 'agents' }, 'deny'], ['/agents/secret/secret', { name: 'secret' }, 'deny'],
    ['/agents/bob/secret', { name: 'eve' }, 'allow'], ['/agents/bob/other', {}, 'allow']] },
  { name: 'quotes, backslashes and stars are literal', rules: [{ agents: { labels: ['we"ird\\*'] }, paths: ['/q"x\\y/*'] }], cases: [
    ['/q"x\\y/z', { labels: ['we"ird\\*'] }, 'allow'], ['/q"x\\y', { labels: ['we"ird\\*'] }, 'allow'], ['/q"x\\yz', { labels: ['we"ird\\*'] }, 'deny'],
    ['/q"x\\y/z', { labels: ['we"ird\\x'] }, 'deny'], ['/q"x\\y/z', { labels: ['we"ird\\'] }, 'deny']] },
  { name: 'control and non-ASCII characters survive', rules: [{ paths: ['/café/\u0001'] }], cases: [['/café/\u0001', {}, 'allow'], ['/cafe/\u0001', {}, 'deny']] },
];

for (const row of table) {
  test(`compileRules: ${row.name}`, () => {
    const rules = row.rules.map((r, i) => rule({ id: `r${i}`, ...r }));
    const engine = PolicyEngine.load({ rules, cedarSources: [], cacheSize: 0 });
    for (const [path, caller, expected] of row.cases) {
      const got = engine.authorize(request(path, caller));
      assert.equal(got.decision, expected, `${JSON.stringify(caller)} ${caller.method ?? 'GET'} ${path}: ${got.reasons.join(',')}`);
    }
  });
}

test('compileRules: one @id-annotated policy per rule', () => {
  const text = compileRules([rule({ id: 'a', paths: ['/a'] }), rule({ id: 'b', effect: 'forbid', methods: ['*'], paths: ['/b'] })]);
  assert.match(text, /^@id\("a"\)\npermit \(/);
  assert.match(text, /@id\("b"\)\nforbid \(\n {2}principal,\n {2}action,\n/);
  assert.equal(compileRules([]), '');
});

test('compileRule: methods become a deduplicated action list', () => {
  const text = compileRule(rule({ methods: ['GET', 'POST', 'GET'], paths: ['/a'] }));
  assert.ok(text.includes('action in [Gatehouse::Action::"GET", Gatehouse::Action::"POST"],'), text);
});

test('Cedar literals escape exactly what Cedar needs', () => {
  assert.equal(cedarString('a"b\\c*\n'), '"a\\"b\\\\c*\\u{a}"');
  assert.equal(cedarLike('/a*b"\\', true), '"/a\\*b\\"\\\\*"');
  assert.equal(cedarLike('/x', false), '"/x"');
  const text = compileRule(rule({ paths: ['/q"x\\y/*'] }));
  assert.ok(text.includes('resource.path == "/q\\"x\\\\y" || resource.path like "/q\\"x\\\\y/*"'), text);
});

const rejected: [string, RuleInput][] = [
  ['a star inside a pattern', { paths: ['/api/*/x'] }],
  ['a star not after "/"', { paths: ['/api*'] }],
  ['a relative path', { paths: ['api'] }],
  ['{agent} inside a segment', { paths: ['/a/x{agent}'] }],
  ['another brace beside {agent}', { paths: ['/{agent}/{x}'] }],
  ['empty names', { agents: { names: [] }, paths: ['/a'] }],
  ['empty routes', { routes: [], paths: ['/a'] }],
  ['an unknown method', { methods: ['TRACE' as 'GET'], paths: ['/a'] }],
  ['no methods', { methods: [], paths: ['/a'] }],
  ['no paths', { paths: [] }],
  ['an unknown effect', { effect: 'allow' as 'permit', paths: ['/a'] }],
  ['a lone surrogate', { agents: { labels: ['\ud800'] }, paths: ['/a'] }],
];
for (const [name, input] of rejected) {
  test(`compileRules refuses ${name}, naming the rule`, () => {
    assert.throws(() => compileRules([rule({ id: 'ok', paths: ['/a'] }), rule({ ...input, id: 'bad-rule' })]), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.issues.length, 1);
      assert.match(err.issues[0]!, /"bad-rule"/);
      return true;
    });
  });
}
