import { BENCH_PATH } from '../lib/target.ts';
import type { BenchContext, Started } from '../lib/target.ts';

/** The upstream with nothing in front: the baseline every ratio is taken against. */
export async function startDirect(ctx: BenchContext): Promise<Started> {
  return {
    ok: true,
    target: { name: 'direct (upstream only)', url: ctx.upstreamUrl + BENCH_PATH, headers: {}, notes: ['baseline'], stop: async () => {} },
  };
}
