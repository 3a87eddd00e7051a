import type { RuleConfig } from '../config/schema.ts';
import { ConfigError } from '../core/errors.ts';
import { cedarLike, cedarString, cedarStringSet } from './cedar-literals.ts';
import { ACTION_TYPE, isPolicyMethod } from './cedar-schema.ts';

// Pure: the short rule form → Cedar text. The input is normally schema-validated already; every
// check here guards against something that would otherwise yield invalid Cedar or a rule that
// silently matches something other than what it reads as (dangerous for `forbid`).

const AGENT = '{agent}';

class RuleError extends Error {}

/**
 * One path test a compiled rule makes: `attr` equals `base`, or (prefix form) equals it or lies
 * below it. These are the only ways compiled rules look at a path, which is what lets the decision
 * cache key a request by which tests its path passes instead of by the path itself (pathSignature).
 */
export interface PathTest {
  attr: 'path' | 'selfPath';
  base: string;
  prefix: boolean;
}

function matchPath(t: PathTest): string {
  const attr = `resource.${t.attr}`;
  if (!t.prefix) return `${attr} == ${cedarString(t.base)}`;
  if (t.base === '') return `${attr} like "/*"`;
  return `(${attr} == ${cedarString(t.base)} || ${attr} like ${cedarLike(`${t.base}/`, true)})`;
}

/** The JavaScript twin of matchPath's Cedar: the same test on a concrete value. */
export function passesPathTest(t: PathTest, value: string): boolean {
  if (!t.prefix) return value === t.base;
  if (t.base === '') return value.startsWith('/');
  return value === t.base || value.startsWith(`${t.base}/`);
}

/** One path pattern's tests: exact, or a prefix ending in "/*"; `{agent}` segments compare against selfPath. */
function pathTestsFor(pattern: string): Array<{ test: PathTest; nameEquals?: string }> {
  if (!pattern.startsWith('/')) throw new RuleError(`path "${pattern}" must start with "/"`);
  const prefix = pattern.endsWith('/*');
  const base = prefix ? pattern.slice(0, -2) : pattern;
  // A star anywhere else would be a literal in Cedar, which no reader expects: refuse it.
  if (base.includes('*')) throw new RuleError(`path "${pattern}": "*" is only allowed as a trailing "/*"`);
  const segments = base.split('/');
  if (!base.includes(AGENT)) return [{ test: { attr: 'path', base, prefix } }];
  if (segments.some((s) => s !== AGENT && s.includes('{'))) {
    // Only whole segments are substituted, and selfPath encodes every literal "{" as %7B: such a
    // pattern would silently never match.
    throw new RuleError(`path "${pattern}": "{agent}" must be a whole segment and no other "{" may appear`);
  }
  const alternatives: Array<{ test: PathTest; nameEquals?: string }> = [{ test: { attr: 'selfPath', base, prefix } }];
  // selfPath replaces EVERY segment equal to the caller's name, literal segments included; so for a
  // caller named like a literal segment, also accept that segment in its replaced form.
  for (const literal of new Set(segments.filter((s) => s !== '' && s !== AGENT))) {
    const replaced = segments.map((s) => (s === literal ? AGENT : s)).join('/');
    alternatives.push({ test: { attr: 'selfPath', base: replaced, prefix }, nameEquals: literal });
  }
  return alternatives;
}

function pathCondition(pattern: string): string {
  const alternatives = pathTestsFor(pattern).map(({ test, nameEquals }) =>
    nameEquals === undefined ? matchPath(test) : `(principal.name == ${cedarString(nameEquals)} && ${matchPath(test)})`);
  return alternatives.length === 1 ? alternatives[0]! : `(${alternatives.join(' || ')})`;
}

/** Every path test the compiled rules make (deduplicated), in a stable order. */
export function rulePathTests(rules: readonly RuleConfig[]): PathTest[] {
  const seen = new Map<string, PathTest>();
  for (const rule of rules) {
    for (const pattern of rule.paths) {
      for (const { test } of pathTestsFor(pattern)) seen.set(`${test.attr}\u0000${test.prefix}\u0000${test.base}`, test);
    }
  }
  return [...seen.values()];
}

function anyOf(list: readonly string[] | undefined, what: string): readonly string[] | undefined {
  if (list !== undefined && list.length === 0) throw new RuleError(`${what} is empty (omit it to mean "any")`);
  return list;
}

function actionScope(methods: readonly string[]): string {
  if (methods.length === 0) throw new RuleError('methods is empty');
  for (const m of methods) if (m !== '*' && !isPolicyMethod(m)) throw new RuleError(`unknown method "${m}"`);
  if (methods.includes('*')) return 'action';
  return `action in [${[...new Set(methods)].map((m) => `${ACTION_TYPE}::${cedarString(m)}`).join(', ')}]`;
}

function compileOne(rule: RuleConfig): string {
  if (rule.effect !== 'permit' && rule.effect !== 'forbid') throw new RuleError(`effect must be permit or forbid`);
  const conditions: string[] = [];
  const { labels, names, scopes } = rule.agents ?? {};
  if (labels !== undefined && labels.length > 0) conditions.push(`principal.labels.containsAll(${cedarStringSet(labels)})`);
  const anyName = anyOf(names, 'agents.names');
  if (anyName) conditions.push(`${cedarStringSet(anyName)}.contains(principal.name)`);
  if (scopes !== undefined && scopes.length > 0) conditions.push(`principal.scopes.containsAll(${cedarStringSet(scopes)})`);
  if (rule.paths.length === 0) throw new RuleError('paths is empty');
  const paths = rule.paths.map(pathCondition);
  conditions.push(paths.length === 1 ? paths[0]! : `(${paths.join(' || ')})`);
  const routes = anyOf(rule.routes, 'routes');
  if (routes) conditions.push(`${cedarStringSet(routes)}.contains(resource.route)`);
  const head = `@id(${cedarString(rule.id)})\n${rule.effect} (\n  principal,\n  ${actionScope(rule.methods)},\n  resource\n)`;
  return `${head}\nwhen {\n  ${conditions.join(' &&\n  ')}\n};`;
}

/** Compiles one rule to one Cedar policy annotated `@id("<rule id>")`. Throws ConfigError. */
export function compileRule(rule: RuleConfig): string {
  try {
    if (rule.id.length === 0) throw new RuleError('id is empty');
    return compileOne(rule);
  } catch (err) {
    // TypeError comes from cedar-literals (a lone surrogate cannot be written in Cedar).
    if (err instanceof RuleError || err instanceof TypeError) {
      throw new ConfigError([`policies.rules "${rule.id}": ${err.message}`]);
    }
    throw err;
  }
}

/** Compiles rules to Cedar text, one policy per rule; reports every bad rule in one ConfigError. */
export function compileRules(rules: readonly RuleConfig[]): string {
  const issues: string[] = [];
  const out: string[] = [];
  for (const rule of rules) {
    try {
      out.push(compileRule(rule));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues.push(...err.issues);
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return out.join('\n\n');
}
