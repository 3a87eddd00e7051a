// What each benchmark target hands back to the runner.

export interface BenchContext {
  /** Scratch directory for configs, databases and logs; removed at the end. */
  tmpDir: string;
  /** Base URL of the plain upstream, e.g. http://127.0.0.1:40001 */
  upstreamUrl: string;
  /** The Node binary running the bench (v24, with type stripping). */
  node: string;
  repoRoot: string;
}

export interface Target {
  /** Label in the results table. */
  name: string;
  /** Full URL the load generator hits. */
  url: string;
  /** Credentials the load generator sends. */
  headers: Record<string, string>;
  /** Default GET. */
  method?: 'GET' | 'POST';
  /** Request body (with method POST). */
  body?: string;
  notes: string[];
  /** The target's server process (memory and CPU are read from /proc), when there is one. */
  pid?: number;
  stop(): Promise<void>;
}

export type Started = { ok: true; target: Target } | { ok: false; name: string; reason: string };

/** Several targets served by one process (e.g. Gatehouse's token endpoint and its gateway). */
export interface TargetGroup {
  targets: Record<string, Target>;
  pid?: number;
  stop(): Promise<void>;
}

export const BENCH_PATH = '/api/agents';
