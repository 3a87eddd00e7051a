import { createHistogram } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { LoadResult, LoadSpec } from './load.ts';

// Open-loop load at a steady rate. autocannon's rate option spends each connection's per-second
// budget in a burst at the top of every second, which measures its own queueing; here requests
// are spread evenly (about one per millisecond at 1000 req/s) over a pool of `connections`.

/** Send `overallRate` requests per second, evenly paced, for `durationSec`; report latencies. */
export async function runPaced(spec: LoadSpec & { overallRate: number }): Promise<LoadResult> {
  const target = new URL(spec.url);
  const pool = new Pool(target.origin, { connections: spec.connections });
  const hist = createHistogram();
  let sent = 0;
  let non2xx = 0;
  let errors = 0;
  const inflight = new Set<Promise<void>>();

  const fire = (): void => {
    const t0 = performance.now();
    const p = pool
      .request({ path: target.pathname + target.search, method: spec.method ?? 'GET', headers: spec.headers, body: spec.body })
      .then(async ({ statusCode, body }) => {
        await body.dump();
        hist.record(Math.max(1, Math.round((performance.now() - t0) * 1000)));
        if (statusCode < 200 || statusCode >= 300) non2xx += 1;
      })
      .catch(() => {
        errors += 1;
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };

  const start = performance.now();
  const end = start + spec.durationSec * 1000;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = Math.min(performance.now(), end);
      // Catch up to the schedule, so a late timer tick does not lower the rate.
      while (sent < ((now - start) / 1000) * spec.overallRate) {
        sent += 1;
        fire();
      }
      if (now >= end) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await Promise.all(inflight);
  const elapsedSec = (performance.now() - start) / 1000;
  await pool.close();
  return {
    reqPerSec: hist.count / elapsedSec,
    p50Ms: hist.percentile(50) / 1000,
    p99Ms: hist.percentile(99) / 1000,
    total: sent,
    non2xx,
    errors,
    timeouts: 0,
  };
}
