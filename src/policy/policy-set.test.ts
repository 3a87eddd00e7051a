import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleConfig } from '../config/schema.ts';
import { ConfigError } from '../core/errors.ts';
import { assemblePolicySet } from './policy-set.ts';

const rule: RuleConfig = { id: 'r1', effect: 'permit', agents: {}, methods: ['GET'], paths: ['/a'] };
const issuesOf = (fn: () => unknown): readonly string[] => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues;
  }
  assert.fail('expected a ConfigError');
};

test('unannotated policies are numbered <source>#<index> in source order, past ten', () => {
  // policySetTextToParts sorts by generated id (policy0, policy1, policy10, …): order must be restored.
  const text = Array.from({ length: 12 }, (_, i) => `// policy ${i}\npermit(principal, action, resource) when { resource.path == "/p${i}" }; // tail`).join('\n');
  const set = assemblePolicySet([], [{ source: 'f.cedar', text }]);
  assert.equal(set.policies.length, 12);
  set.policies.forEach((p, i) => {
    assert.equal(p.id, `f.cedar#${i}`);
    assert.ok(p.text.includes(`"/p${i}"`), p.text);
    assert.equal(p.source, 'f.cedar');
  });
});

test('annotated ids win; the index counts every policy in the file', () => {
  const text = '@id("first") permit(principal, action, resource);\nforbid(principal, action, resource) when { resource.path == "/x" };';
  const set = assemblePolicySet([rule], [{ source: 'g.cedar', text }, { source: 'empty.cedar', text: '// nothing yet\n' }]);
  assert.deepEqual(set.policies.map((p) => [p.id, p.source]), [['r1', 'policies.rules[0]'], ['first', 'g.cedar'], ['g.cedar#1', 'g.cedar']]);
});

test('ids must be printable, templates are refused, and every problem is reported at once', () => {
  const issues = issuesOf(() =>
    assemblePolicySet([{ ...rule, paths: ['/a/*/b'] }], [
      { source: 'sp.cedar', text: '@id("has space") permit(principal, action, resource);' },
      { source: 'empty-id.cedar', text: '@id("") permit(principal, action, resource);' },
      { source: 'tpl.cedar', text: 'permit(principal == ?principal, action, resource);' },
      { source: 'bad.cedar', text: 'permit(principal, action, resource) when { resource.path == };' },
    ]),
  );
  assert.equal(issues.length, 5, issues.join('\n'));
  for (const [i, re] of [/"r1"/, /sp\.cedar: @id "has space"/, /empty-id\.cedar: @id ""/, /tpl\.cedar: policy templates/, /bad\.cedar: cannot parse Cedar: .*line 1, column \d+/].entries()) {
    assert.match(issues[i]!, re);
  }
});

test('every schema violation is reported with the policy id and source', () => {
  const text = 'permit(principal, action, resource) when { resource.nope == "x" };\n@id("ctx") permit(principal, action, resource) when { context.hourUtc == "9" };';
  const issues = issuesOf(() => assemblePolicySet([], [{ source: 'v.cedar', text }]));
  assert.equal(issues.length, 2, issues.join('\n'));
  assert.ok(issues.some((i) => i.startsWith('policy "v.cedar#0" (v.cedar): invalid for the Gatehouse schema')), issues.join('\n'));
  assert.ok(issues.some((i) => i.startsWith('policy "ctx" (v.cedar)')), issues.join('\n'));
});

test('the version changes with any policy text or id and is stable otherwise', () => {
  const v = (text: string, source = 'a.cedar') => assemblePolicySet([], [{ source, text }]).version;
  const base = 'permit(principal, action, resource) when { resource.path == "/a" };';
  assert.equal(v(base), v(base));
  assert.notEqual(v(base), v(base.replace('/a', '/b')));
  assert.notEqual(v(base), v(base, 'b.cedar')); // different generated id
});
