import { createHistogram } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { runPaced } from './paced.ts';

// The load generator, run as its own process so it never shares an event loop with a target.
// Usage: node bench/load.ts '<json LoadSpec>'  → prints one JSON LoadResult on stdout. Saturating runs use
// autocannon; fixed-rate runs use the evenly paced client in paced.ts.

export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  /** Default GET. */
  method?: 'GET' | 'POST';
  /** Sent with every request (e.g. a token request's form). */
  body?: string;
  connections: number;
  warmupSec: number;
  durationSec: number;
  /** Evenly paced requests per second across all connections (see paced.ts); absent = as fast as possible (autocannon). */
  overallRate?: number;
}

export interface LoadResult {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU time (all threads) the target's process spent per request during the run, µs; set by the runner when it knows the pid. */
  serverCpuUsPerReq?: number;
  /** CPU time the load generator itself spent per request, µs (it shares the machine's cores with the target). */
  loadCpuUsPerReq?: number;
}

async function run(spec: LoadSpec, record: boolean): Promise<LoadResult> {
  // autocannon's own latency histogram has 1 ms resolution; a "≤ 2 ms added" target needs finer,
  // so every response time (float ms) is recorded here in microseconds.
  const hist = createHistogram();
  const opts = {
    url: spec.url,
    headers: spec.headers,
    method: spec.method ?? 'GET',
    ...(spec.body !== undefined && { body: spec.body }),
    connections: spec.connections,
    duration: record ? spec.durationSec : spec.warmupSec,
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(opts, (err, res) => (err ? reject(err) : resolve(res)));
    if (record) instance.on('response', (_client, _status, _bytes, ms) => hist.record(Math.max(1, Math.round(ms * 1000))));
  });
  const total = result.requests.total;
  return {
    reqPerSec: total / result.duration,
    p50Ms: hist.percentile(50) / 1000,
    p99Ms: hist.percentile(99) / 1000,
    total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
if (spec.warmupSec > 0) await run(spec, false);
const cpu0 = process.cpuUsage();
const result = spec.overallRate ? await runPaced({ ...spec, overallRate: spec.overallRate }) : await run(spec, true);
const cpu = process.cpuUsage(cpu0);
if (result.total > 0) result.loadCpuUsPerReq = (cpu.user + cpu.system) / result.total;
process.stdout.write(JSON.stringify(result) + '\n');
