import { createHash } from 'node:crypto';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { RuleConfig } from '../config/schema.ts';
import { ConfigError } from '../core/errors.ts';
import { compileRule } from './compile-rules.ts';
import { CEDAR_SCHEMA } from './cedar-schema.ts';

/** Raw Cedar text and where it came from (a file path, or `policies.rules[i]`). */
export interface PolicySource {
  source: string;
  text: string;
}

/** One static policy with its unique id and its own Cedar text. */
export interface LoadedPolicy {
  id: string;
  source: string;
  text: string;
}

export interface AssembledPolicySet {
  /** sha256 (hex) of the schema and every (id, text): equal versions decide identically. */
  version: string;
  policies: readonly LoadedPolicy[];
}

// Ids become reason codes (`policy:<id>`) stored verbatim in audit records: keep them printable.
const ID = /^[^\s\p{Cc}]{1,128}$/u;

function describe(err: cedar.DetailedError, text?: string): string {
  const loc = err.sourceLocations?.[0];
  let out = err.message;
  if (loc?.label) out += ` (${loc.label})`;
  if (loc && text !== undefined) {
    const before = text.slice(0, loc.start).split('\n');
    out += ` at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
  }
  return err.help ? `${out}; ${err.help}` : out;
}

/**
 * policySetTextToParts returns policies sorted by their generated ids ("policy0", "policy1",
 * "policy10", …: lexicographic). Undo that sort, then check the result against the source text
 * (each part is a verbatim slice, so they must occur in increasing order).
 */
function inSourceOrder(parts: readonly string[], text: string): string[] | undefined {
  const sortedIds = parts.map((_, i) => `policy${i}`).sort();
  const ordered: string[] = new Array<string>(parts.length);
  sortedIds.forEach((id, k) => (ordered[Number(id.slice('policy'.length))] = parts[k]!));
  let cursor = 0;
  for (const part of ordered) {
    const at = text.indexOf(part, cursor);
    if (at < 0) return undefined;
    cursor = at + part.length;
  }
  return ordered;
}

function annotatedId(part: string): string | undefined {
  const json = cedar.policyToJson(part);
  return json.type === 'success' ? json.json.annotations?.['id'] : undefined;
}

/** Splits one source into policies; raw policies without `@id` get `<source>#<index>` (0-based). */
function splitSource(src: PolicySource, issues: string[]): LoadedPolicy[] {
  const parts = cedar.policySetTextToParts(src.text);
  if (parts.type === 'failure') {
    issues.push(`${src.source}: cannot parse Cedar: ${parts.errors.map((e) => describe(e, src.text)).join('; ')}`);
    return [];
  }
  if (parts.policy_templates.length > 0) issues.push(`${src.source}: policy templates are not supported`);
  // Source order matters only for numbering policies that lack an @id.
  const ordered = inSourceOrder(parts.policies, src.text) ?? (parts.policies.every((p) => annotatedId(p) !== undefined) ? parts.policies : undefined);
  if (ordered === undefined) {
    issues.push(`${src.source}: cannot number its policies; give each one an @id("...") annotation`);
    return [];
  }
  return ordered.map((text, i) => {
    const annotated = annotatedId(text);
    if (annotated !== undefined && !ID.test(annotated)) {
      issues.push(`${src.source}: @id ${JSON.stringify(annotated)} must be 1-128 printable characters without spaces`);
    }
    return { id: annotated ?? `${src.source}#${i}`, source: src.source, text };
  });
}

function compileAll(rules: readonly RuleConfig[], issues: string[]): PolicySource[] {
  const out: PolicySource[] = [];
  rules.forEach((rule, i) => {
    try {
      out.push({ source: `policies.rules[${i}]`, text: compileRule(rule) });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues.push(...err.issues);
    }
  });
  return out;
}

/**
 * Compiles the rules, splits the raw `.cedar` sources, gives every policy a unique id and validates
 * the whole set against the Gatehouse schema. Throws one ConfigError listing every problem.
 */
export function assemblePolicySet(rules: readonly RuleConfig[], sources: readonly PolicySource[]): AssembledPolicySet {
  const issues: string[] = [];
  const policies = [...compileAll(rules, issues), ...sources].flatMap((src) => splitSource(src, issues));
  const seen = new Map<string, string>();
  for (const p of policies) {
    const first = seen.get(p.id);
    if (first !== undefined) issues.push(`duplicate policy id "${p.id}" (${first} and ${p.source})`);
    else seen.set(p.id, p.source);
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const byId = new Map(policies.map((p) => [p.id, p]));
  const answer = cedar.validate({
    schema: CEDAR_SCHEMA,
    validationSettings: { mode: 'strict' },
    policies: { staticPolicies: Object.fromEntries(policies.map((p) => [p.id, p.text])) },
  });
  if (answer.type === 'failure') throw new ConfigError(answer.errors.map((e) => `policies: ${describe(e)}`));
  for (const { policyId, error } of answer.validationErrors) {
    const p = byId.get(policyId);
    issues.push(`policy "${policyId}" (${p?.source ?? 'unknown source'}): invalid for the Gatehouse schema: ${describe(error, p?.text)}`);
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const version = createHash('sha256')
    .update(JSON.stringify([CEDAR_SCHEMA, policies.map((p) => [p.id, p.text])]))
    .digest('hex');
  return { version, policies };
}
