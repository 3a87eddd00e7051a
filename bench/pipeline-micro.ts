import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config/load-config.ts';
import { openLocal } from '../src/app/open-local.ts';
import { buildStages } from '../src/gateway/pipeline.ts';
import { buildRuntimeState } from '../src/gateway/runtime-state.ts';
import type { RequestContext } from '../src/gateway/context.ts';
import type { GatewayDeps } from '../src/gateway/gateway-deps.ts';
import { createRateLimiter } from '../src/limits/rate-limiter.ts';
import { Metrics } from '../src/obs/metrics.ts';
import { silentLogger } from '../src/obs/logger.ts';
import { writeAudit } from '../src/gateway/stages/audit.ts';

// Micro-benchmark (not a test): µs of request-thread CPU per request for the pipeline stages, each
// prefix of the stage list, and the audit entry — no sockets, no upstream. Cited in docs/benchmarks.md.
// Usage: node bench/pipeline-micro.ts [requests=20000]

const count = Number(process.argv[2] ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), 'gh-micro-'));
const config = parseConfig({
  store: { url: `sqlite:${join(dir, 'gh.db')}` },
  secrets: { serverSecretFile: join(dir, 'server.secret') },
  rateLimit: { perAgent: { rate: 1e9, burst: 1e9 } },
  routes: [{ id: 'api', path: '/api/*', upstream: 'http://127.0.0.1:9' }],
  policies: { rules: [{ id: 'read', agents: { labels: ['bench'] }, methods: ['GET'], paths: ['/api/*'] }] },
});
const core = await openLocal({ config, file: undefined, baseDir: dir }, { env: {} });
const agent = await core.agents.create({ name: 'bench', labels: ['bench'] }, 'bench');
const { key } = await core.keys.issue(agent.id, {}, 'bench');
const state = buildRuntimeState(config, core.policy());
const limiter = await createRateLimiter({ authFailures: config.rateLimit.authFailures });
const deps = {
  state: () => state, keys: core.keys, limiter, metrics: new Metrics(), logger: silentLogger(), clock: core.clock,
  audit: { accepting: () => true, enqueue: () => true }, forwarder: undefined as never,
} satisfies GatewayDeps;
const stages = buildStages(deps);
const rawHeaders = ['Host', '127.0.0.1:8080', 'Authorization', `Bearer ${key}`, 'User-Agent', 'bench', 'Accept', '*/*'];
const req = { url: '/api/agents', method: 'GET', rawHeaders, headers: { host: '127.0.0.1:8080', authorization: `Bearer ${key}` }, socket: { remoteAddress: '127.0.0.1' } };
const context = (i: number): RequestContext => ({
  requestId: `req_${i}`, receivedAt: Date.now(), startedAt: process.hrtime.bigint(), req: req as never, state, upgrade: false,
  clientAddress: '127.0.0.1', method: 'GET', path: undefined, query: '', route: undefined, endpoint: undefined, principal: undefined, attempted: undefined, identityAssertion: undefined, details: undefined,
  decision: 'deny', reasons: [], upstreamStatus: undefined, responseHeaders: {},
});

async function measure(label: string, upTo: number, audit: boolean): Promise<void> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const ctx = context(i);
    for (const stage of stages.slice(0, upTo)) await stage(ctx);
    if (audit) writeAudit(deps, ctx);
  }
  console.log(`${label.padEnd(34)} ${(Number(process.hrtime.bigint() - start) / 1000 / count).toFixed(1)} µs/request`);
}

for (let round = 1; round <= 2; round++) {
  console.log(`round ${round} (${count} requests each)`);
  for (const [i, stage] of stages.entries()) await measure(`stages up to ${stage.name}`, i + 1, false);
  await measure('all stages + audit entry + metrics', stages.length, true);
}
await limiter.close();
await core.close();
rmSync(dir, { recursive: true, force: true });
