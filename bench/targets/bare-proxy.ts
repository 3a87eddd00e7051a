import { join } from 'node:path';
import { startChild, waitForHttp } from '../lib/children.ts';
import { freePort } from '../lib/ports.ts';
import { BENCH_PATH } from '../lib/target.ts';
import type { BenchContext, Started } from '../lib/target.ts';

/** bench/bare-proxy.ts: the cheapest possible Node proxy, the floor Gatehouse is compared with. */
export async function startBareProxy(ctx: BenchContext): Promise<Started> {
  const port = await freePort();
  const child = startChild('bare proxy', ctx.node, [join(ctx.repoRoot, 'bench/bare-proxy.ts'), String(port), ctx.upstreamUrl]);
  const url = `http://127.0.0.1:${port}${BENCH_PATH}`;
  await waitForHttp(url, child);
  return {
    ok: true,
    target: { name: 'bare Node proxy', url, headers: {}, notes: ['node:http + undici Pool.stream keep-alive, no checks, 1 process'], pid: child.pid, stop: () => child.stop() },
  };
}
