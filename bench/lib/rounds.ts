import { join } from 'node:path';
import type { LoadResult, LoadSpec } from '../load.ts';
import { interrupted, runChild } from './children.ts';
import { readCpuMs, readThreadCpuMs } from './proc-status.ts';
import type { BenchContext, Target } from './target.ts';

// Measuring a set of running targets: each load run is a separate load-generator process
// (bench/load.ts); a target whose load fails is reported and skipped for the rest of the run.

export interface RoundOptions {
  rounds: number;
  durationSec: number;
  warmupSec: number;
  /**
   * An unmeasured run of this length right before each measured round (0 = none). Between its
   * rounds a target sits idle while the others are measured, and V8's memory reducer shrinks an
   * idle heap: without it, each round would measure the heap growing back, not steady state.
   */
  roundWarmupSec?: number;
  /** Run every other round in reverse order (A B C, C B A, …), so no target always follows the same one. */
  alternate?: boolean;
}

export class Measurer {
  readonly #ctx: BenchContext;
  readonly #connections: number;
  /** Why a target has no result: its first load failure. */
  readonly failed = new Map<Target, string>();

  constructor(ctx: BenchContext, connections: number) {
    this.#ctx = ctx;
    this.#connections = connections;
  }

  /** The load spec for `t` without timings: where to send what. */
  spec(t: Target): Omit<LoadSpec, 'warmupSec' | 'durationSec'> {
    return { url: t.url, headers: t.headers, method: t.method ?? 'GET', ...(t.body !== undefined && { body: t.body }), connections: this.#connections };
  }

  /** One run of the load generator in its own process. */
  async load(spec: LoadSpec): Promise<LoadResult> {
    const { stdout } = await runChild('load generator', this.#ctx.node, [join(this.#ctx.repoRoot, 'bench/load.ts'), JSON.stringify(spec)]);
    return JSON.parse(stdout) as LoadResult;
  }

  /** Run `fn` unless `t` already failed; a failure marks `t` failed instead of ending the bench. */
  async attempt(t: Target, fn: () => Promise<void>): Promise<void> {
    if (this.failed.has(t)) return;
    try {
      await fn();
    } catch (err) {
      if (interrupted()) throw err;
      console.error(`${t.name}: load failed: ${(err as Error).message}`);
      this.failed.set(t, `load failed: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  /** One saturating run against `t`, with the CPU its process spent per request when its pid is known. */
  async measure(t: Target, durationSec: number): Promise<LoadResult> {
    const before = t.pid === undefined ? undefined : readCpuMs(t.pid);
    const result = await this.load({ ...this.spec(t), warmupSec: 0, durationSec });
    const after = t.pid === undefined ? undefined : readCpuMs(t.pid);
    if (before !== undefined && after !== undefined && result.total > 0) result.serverCpuUsPerReq = ((after - before) * 1000) / result.total;
    return result;
  }

  /** `measure`, plus the CPU µs per request each thread of the target's process spent (by thread name; threads that spent none are left out). */
  async measureByThread(t: Target, durationSec: number): Promise<{ result: LoadResult; threads: Map<string, number> }> {
    const before = t.pid === undefined ? new Map<string, number>() : readThreadCpuMs(t.pid);
    const result = await this.measure(t, durationSec);
    const after = t.pid === undefined ? new Map<string, number>() : readThreadCpuMs(t.pid);
    const threads = new Map<string, number>();
    for (const [name, ms] of after) {
      const used = ms - (before.get(name) ?? 0);
      if (used > 0 && result.total > 0) threads.set(name, (used * 1000) / result.total);
    }
    return { result, threads };
  }

  /**
   * A warm-up per target, then `rounds` interleaved rounds (A B C, A B C, …): this machine's speed
   * drifts over minutes, and interleaving spreads the drift over all targets instead of favouring
   * whichever ran in a quiet minute.
   */
  async interleave(targets: Target[], o: RoundOptions): Promise<Map<Target, LoadResult[]>> {
    const results = new Map<Target, LoadResult[]>(targets.map((t) => [t, []]));
    for (const t of targets) await this.attempt(t, async () => void (await this.load({ ...this.spec(t), warmupSec: o.warmupSec, durationSec: 1 })));
    for (let round = 1; round <= o.rounds; round++) {
      for (const t of o.alternate && round % 2 === 0 ? [...targets].reverse() : targets) {
        console.error(`round ${round}/${o.rounds}: ${t.name}, ${o.durationSec}s at ${this.#connections} connections…`);
        await this.attempt(t, async () => {
          if (o.roundWarmupSec) await this.load({ ...this.spec(t), warmupSec: 0, durationSec: o.roundWarmupSec });
          results.get(t)!.push(await this.measure(t, o.durationSec));
        });
      }
    }
    return results;
  }
}

/** The round with the median throughput (its latencies belong to the same run). */
export function median(runs: LoadResult[]): LoadResult | undefined {
  const sorted = [...runs].sort((a, b) => a.reqPerSec - b.reqPerSec);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}
