import type { RuleConfig } from '../src/config/schema.ts';
import { PolicyEngine } from '../src/policy/policy-engine.ts';
import type { PolicyRequest } from '../src/policy/policy-engine.ts';

// Micro-benchmark of PolicyEngine.authorize: µs per call with the decision cache off (every call
// goes through Cedar) and on (warm cache). Not a test; the main benchmark cites its output.
// Usage: node bench/policy-micro.ts [calls=20000]   → human lines, then one JSON line.

const calls = Number(process.argv[2] ?? 20_000);

// A realistic-sized set: 20 label rules, a per-agent rule and a forbid.
const rules: RuleConfig[] = [
  ...Array.from({ length: 20 }, (_, i): RuleConfig => ({
    id: `svc-${i}`, effect: 'permit', agents: { labels: [`team-${i}`] }, methods: ['GET', 'HEAD'], paths: [`/svc${i}/*`],
  })),
  { id: 'own-data', effect: 'permit', agents: {}, methods: ['*'], paths: ['/agents/{agent}/*'] },
  { id: 'no-admin', effect: 'forbid', agents: {}, methods: ['*'], paths: ['/svc0/admin/*'] },
];

const request = (i: number): PolicyRequest => ({
  agent: { id: `agt_${i % 50}`, name: `agent-${i % 50}`, owner: 'ops', labels: [`team-${i % 20}`, 'prod'], scopes: ['read'] },
  method: 'GET', path: `/svc${i % 20}/items/${i % 100}`, routeId: 'main', clientAddress: '127.0.0.1', credentialType: 'api_key',
  now: Date.UTC(2026, 0, 1, 12),
});

function measure(engine: PolicyEngine, distinct: number): { usPerCall: number; allowed: number } {
  const reqs = Array.from({ length: distinct }, (_, i) => request(i));
  for (const r of reqs) engine.authorize(r); // warm up (and fill the cache, when there is one)
  let allowed = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) if (engine.authorize(reqs[i % distinct]!).decision === 'allow') allowed++;
  const elapsedNs = Number(process.hrtime.bigint() - start);
  return { usPerCall: elapsedNs / 1000 / calls, allowed };
}

const uncached = measure(PolicyEngine.load({ rules, cedarSources: [], cacheSize: 0 }), 1_000);
const cached = measure(PolicyEngine.load({ rules, cedarSources: [], cacheSize: 10_000 }), 1_000);
if (uncached.allowed !== cached.allowed) throw new Error('cached and uncached decisions differ');

console.log(`policy authorize, ${calls} calls over 1000 distinct requests, ${rules.length} policies`);
console.log(`  uncached (Cedar every call): ${uncached.usPerCall.toFixed(2)} µs/call`);
console.log(`  cached (warm LRU):           ${cached.usPerCall.toFixed(2)} µs/call`);
console.log(JSON.stringify({ bench: 'policy-micro', calls, policies: rules.length, uncachedUs: uncached.usPerCall, cachedUs: cached.usPerCall }));
