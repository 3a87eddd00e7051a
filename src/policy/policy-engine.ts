import { createHash } from 'node:crypto';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { AuthorizationAnswer, StatefulAuthorizationCall } from '@cedar-policy/cedar-wasm/nodejs';
import type { RuleConfig } from '../config/schema.ts';
import { ConfigError } from '../core/errors.ts';
import type { Decision, ReasonCode } from '../core/reasons.ts';
import { cacheKey, checkRequestShape, pathSignature, timeBuckets, toCedarCall } from './cedar-request.ts';
import type { PolicyRequest } from './cedar-request.ts';
import { CEDAR_SCHEMA, isPolicyMethod } from './cedar-schema.ts';
import { LruCache } from './decision-cache.ts';
import { rulePathTests, type PathTest } from './compile-rules.ts';
import { assemblePolicySet } from './policy-set.ts';
import type { PolicySource } from './policy-set.ts';

export type { PolicyRequest };

export interface PolicyDecision {
  decision: Decision;
  reasons: ReasonCode[];
  cached: boolean;
}

/** `explain`: the decision plus the Cedar text of each determining policy and any error messages. */
export interface PolicyExplanation extends PolicyDecision {
  policies: { id: string; text: string }[];
  errors: string[];
}

/** Fault-injection seam: replaces the Cedar call (tests make it throw or misbehave). */
export type PolicyEvaluator = (call: StatefulAuthorizationCall) => AuthorizationAnswer;

export interface PolicyEngineInput {
  rules: readonly RuleConfig[];
  cedarSources: readonly PolicySource[];
  /** Decision-cache entries; 0 disables the cache. */
  cacheSize: number;
  evaluate?: PolicyEvaluator;
}

interface Outcome {
  decision: Decision;
  reasons: ReasonCode[];
  determining: string[];
  errors: string[];
}

// Named by content so that a (hypothetical) schema change can never reuse a stale preparsed copy.
const SCHEMA_NAME = `gatehouse-schema-${createHash('sha256').update(CEDAR_SCHEMA).digest('hex').slice(0, 16)}`;
let schemaReady = false;

function prepareSchema(): void {
  if (schemaReady) return;
  const answer = cedar.preparseSchema(SCHEMA_NAME, CEDAR_SCHEMA);
  if (answer.type === 'failure') throw new Error(`Gatehouse Cedar schema: ${answer.errors.map((e) => e.message).join('; ')}`);
  schemaReady = true;
}

const failed = (errors: string[]): Outcome => ({ decision: 'error', reasons: ['policy_error'], determining: [], errors });
const UNKNOWN_METHOD: Outcome = { decision: 'deny', reasons: ['default_deny'], determining: [], errors: [] };

/** Maps Cedar's answer to a decision. Anything but a clean answer is `error`: fail closed. */
function interpret(answer: AuthorizationAnswer): Outcome {
  if (answer.type !== 'success') return failed(answer.errors.map((e) => e.message));
  const { decision, diagnostics } = answer.response;
  if (diagnostics.errors.length > 0) return failed(diagnostics.errors.map((e) => `policy ${e.policyId}: ${e.error.message}`));
  const determining = [...diagnostics.reason].sort();
  const ids = determining.map((id): ReasonCode => `policy:${id}`);
  if (decision === 'allow' && ids.length > 0) return { decision: 'allow', reasons: ['policy_permit', ...ids], determining, errors: [] };
  if (decision === 'deny' && ids.length > 0) return { decision: 'deny', reasons: ['policy_forbid', ...ids], determining, errors: [] };
  if (decision === 'deny') return { decision: 'deny', reasons: ['default_deny'], determining, errors: [] };
  return failed([`unexpected Cedar answer: ${String(decision)}`]);
}

/**
 * An immutable, default-deny Cedar policy engine. The policy set is parsed and validated once in
 * `load`; reloading means loading a new engine and swapping the reference (a failed load throws
 * and leaves the caller's current engine in place).
 */
export class PolicyEngine {
  readonly version: string;
  readonly policyIds: readonly string[];
  readonly #texts: ReadonlyMap<string, string>;
  readonly #policySetId: string;
  readonly #cache: LruCache<Outcome>;
  readonly #evaluate: PolicyEvaluator;
  readonly #pathTests: readonly PathTest[] | undefined;

  private constructor(version: string, texts: Map<string, string>, policySetId: string, input: PolicyEngineInput) {
    this.version = version;
    this.policyIds = Object.freeze([...texts.keys()]);
    this.#texts = texts;
    this.#policySetId = policySetId;
    this.#cache = new LruCache<Outcome>(input.cacheSize);
    this.#evaluate = input.evaluate ?? cedar.statefulIsAuthorized;
    // Raw .cedar policies may inspect the path any way they like: then only the path itself is a safe key.
    this.#pathTests = input.cedarSources.length === 0 ? rulePathTests(input.rules) : undefined;
  }

  /** Compiles, validates and preparses the policies. Throws ConfigError naming the bad policy. */
  static load(input: PolicyEngineInput): PolicyEngine {
    const set = assemblePolicySet(input.rules, input.cedarSources);
    prepareSchema();
    const texts = new Map(set.policies.map((p) => [p.id, p.text]));
    // Cedar keeps preparsed sets per id for the life of the process; the same version reuses its slot.
    const policySetId = `gatehouse-${set.version}`;
    const parsed = cedar.preparsePolicySet(policySetId, { staticPolicies: Object.fromEntries(texts) });
    if (parsed.type === 'failure') throw new ConfigError(parsed.errors.map((e) => `policies: ${e.message}`));
    return new PolicyEngine(set.version, texts, policySetId, input);
  }

  /** Decides a request (default deny), answering from the decision cache when it can. */
  authorize(req: PolicyRequest): PolicyDecision {
    let key: string | undefined;
    try {
      checkRequestShape(req);
      if (!isPolicyMethod(req.method)) return { decision: 'deny', reasons: ['default_deny'], cached: false };
      const time = timeBuckets(req.now);
      if (this.#cache.maxSize > 0) {
        const pathKey = this.#pathTests ? pathSignature(this.#pathTests, req.path, req.agent.name) : req.path;
        key = cacheKey(this.version, req, time, pathKey);
        const hit = this.#cache.get(key);
        if (hit !== undefined) return { decision: hit.decision, reasons: [...hit.reasons], cached: true };
      }
      const outcome = this.#decide(req, time);
      if (key !== undefined && outcome.decision !== 'error') this.#cache.set(key, outcome);
      return { decision: outcome.decision, reasons: [...outcome.reasons], cached: false };
    } catch {
      return { decision: 'error', reasons: ['policy_error'], cached: false };
    }
  }

  /** Like authorize but never cached; adds the determining policies' text and any error detail. */
  explain(req: PolicyRequest): PolicyExplanation {
    let outcome: Outcome;
    try {
      checkRequestShape(req);
      outcome = isPolicyMethod(req.method) ? this.#decide(req, timeBuckets(req.now)) : UNKNOWN_METHOD;
    } catch (err) {
      outcome = failed([err instanceof Error ? err.message : String(err)]);
    }
    const policies = outcome.determining.map((id) => ({ id, text: this.#texts.get(id) ?? '' }));
    return { decision: outcome.decision, reasons: [...outcome.reasons], cached: false, policies, errors: [...outcome.errors] };
  }

  /** The Cedar text of one policy, for listings. */
  policyText(id: string): string | undefined {
    return this.#texts.get(id);
  }

  #decide(req: PolicyRequest, time: ReturnType<typeof timeBuckets>): Outcome {
    try {
      return interpret(this.#evaluate(toCedarCall(req, time, this.#policySetId, SCHEMA_NAME)));
    } catch (err) {
      return failed([err instanceof Error ? err.message : String(err)]);
    }
  }
}
