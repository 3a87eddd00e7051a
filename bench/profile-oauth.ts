import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installExitHandlers, startChild, stopAll, waitForHttp } from './lib/children.ts';
import { freePort } from './lib/ports.ts';
import { readCpuMs } from './lib/proc-status.ts';
import { Measurer } from './lib/rounds.ts';
import { BENCH_PATH } from './lib/target.ts';
import type { Target } from './lib/target.ts';
import { OAUTH_BENCH } from './oauth-suite.ts';
import { startBareIssuer } from './targets/bare-issuer.ts';
import { startBareProxy } from './targets/bare-proxy.ts';
import { startGatehouseOAuth } from './targets/gatehouse.ts';
import { startOidcProvider } from './targets/oidc-provider.ts';

// A closer look at token-service targets, outside `npm run bench`: runs back to back (several
// targets alternate), each with CPU per request by thread of the server, of the upstream and of
// the load generator. With node flags, e.g. for CPU profiles (written when the server exits):
//   BENCH_GATEHOUSE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node bench/profile-oauth.ts issuance [seconds] [repeats]
//   BENCH_BASELINE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node bench/profile-oauth.ts oidc [seconds] [repeats]
// Targets (comma-separated): issuance, apiKey, jwt (Gatehouse), oidc (oidc-provider), bare (bench/bare-issuer.ts),
// proxy (bench/bare-proxy.ts, the gateway suite's floor).

const which = (process.argv[2] ?? 'issuance').split(',');
const seconds = Number(process.argv[3] ?? 10);
const repeats = Number(process.argv[4] ?? 1);
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmpDir = await mkdtemp(join(tmpdir(), 'gatehouse-profile-'));
installExitHandlers(() => rm(tmpDir, { recursive: true, force: true }));

const perReq = (ms: number | undefined, total: number): string => (ms === undefined ? '–' : ((ms * 1000) / total).toFixed(1));

try {
  const upstreamPort = await freePort();
  const upstream = startChild('plain upstream', process.execPath, [join(repoRoot, 'bench/plain-upstream.ts'), String(upstreamPort)]);
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
  await waitForHttp(upstreamUrl + BENCH_PATH, upstream);
  const ctx = { tmpDir, upstreamUrl, node: process.execPath, repoRoot };
  const targets: Target[] = [];
  const stops: Array<() => Promise<void>> = [];
  for (const name of which) {
    if (name === 'oidc' || name === 'bare' || name === 'proxy') {
      const started = await (name === 'proxy' ? startBareProxy(ctx) : (name === 'oidc' ? startOidcProvider : startBareIssuer)(ctx, OAUTH_BENCH));
      if (!started.ok) throw new Error(started.reason);
      targets.push(started.target);
      stops.push(() => started.target.stop());
      continue;
    }
    if (!targets.some((t) => t.name.startsWith('Gatehouse'))) {
      const group = await startGatehouseOAuth(ctx, OAUTH_BENCH);
      if (typeof group === 'string') throw new Error(group);
      stops.push(() => group.stop());
      for (const n of which) if (group.targets[n]) targets.push(group.targets[n]);
    }
  }
  if (targets.length === 0) throw new Error(`no target in ${which.join(',')}: issuance, apiKey, jwt, oidc, bare or proxy`);
  const m = new Measurer(ctx, Number(process.env.BENCH_CONNECTIONS ?? 50));
  for (const t of targets) await m.load({ ...m.spec(t), warmupSec: 2, durationSec: 1 });
  for (let i = 0; i < repeats; i++) {
    for (const t of targets) {
      const upstreamBefore = readCpuMs(upstream.pid);
      const { result: r, threads } = await m.measureByThread(t, seconds);
      const upstreamUsed = (readCpuMs(upstream.pid) ?? NaN) - (upstreamBefore ?? NaN);
      console.log(`${t.name}: ${Math.round(r.reqPerSec)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${r.non2xx + r.errors} non-2xx/errors of ${r.total}`);
      console.log(`  CPU µs/request: server ${r.serverCpuUsPerReq?.toFixed(1) ?? '–'}, upstream ${perReq(upstreamUsed, r.total)}, load generator ${r.loadCpuUsPerReq?.toFixed(1) ?? '–'}`);
      // Where the server's CPU went, by thread (main event loop, the store writer, libuv's pool where WebCrypto signs, GC helpers).
      console.log(`  server threads: ${[...threads].map(([name, us]) => `${name} ${us.toFixed(1)}`).join(', ')}`);
    }
  }
  for (const stop of stops) await stop();
} finally {
  await stopAll();
  await rm(tmpDir, { recursive: true, force: true });
}
