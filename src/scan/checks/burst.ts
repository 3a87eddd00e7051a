import type { ProbeRequest, ProbeResponse, Prober } from '../types.ts';

// The rate-limit check's burst: pure reading of limit signals, and the bounded sender.

/** Requests sent at once; a tenth of the pacer's default second, enough to outrun a per-second limit. */
export const WAVE = 10;

/** 429, or 503 with Retry-After (how some proxies refuse an overload). */
export const isLimited = (res: Pick<ProbeResponse, 'status' | 'headers'>): boolean => res.status === 429 || (res.status === 503 && res.headers['retry-after'] !== undefined);

/**
 * Requests left in the window, as advertised: `RateLimit: "burst";r=95;t=2` (IETF draft),
 * `RateLimit-Remaining`, `X-RateLimit-Remaining` or `X-Rate-Limit-Remaining`.
 */
export function advertisedRemaining(headers: Record<string, string>): number | undefined {
  const structured = /(?:^|[;,\s])r=(\d+)/.exec(headers.ratelimit ?? '');
  const plain = headers['ratelimit-remaining'] ?? headers['x-ratelimit-remaining'] ?? headers['x-rate-limit-remaining'];
  const value = structured?.[1] ?? plain;
  return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

/** Whether the target says it limits at all (any RateLimit / X-RateLimit header). */
export const advertisesLimit = (headers: Record<string, string>): boolean => Object.keys(headers).some((h) => /^(x-)?rate-?limit/i.test(h));

export interface BurstResult {
  sent: number;
  elapsedMs: number;
  /** The first limited answer, if any. */
  limited?: ProbeResponse;
  /** The last answer (evidence when nothing was limited). */
  last?: ProbeResponse;
  statuses: Record<number, number>;
  advertised: boolean;
}

/**
 * Sends `req` in waves of WAVE until an answer is limited or `size` requests went out. When the
 * answers advertise how many requests remain, the burst grows to just past that (up to `max`), so
 * a limit larger than the default burst is reached instead of reported missing.
 */
export async function sendBurst(probe: Prober, req: ProbeRequest, size: number, max: number): Promise<BurstResult> {
  const started = performance.now();
  const out: BurstResult = { sent: 0, elapsedMs: 0, statuses: {}, advertised: false };
  let target = size;
  while (out.sent < target) {
    const n = Math.min(WAVE, target - out.sent);
    const wave = await Promise.all(Array.from({ length: n }, () => probe.send(req)));
    out.sent += n;
    for (const res of wave) {
      out.statuses[res.status] = (out.statuses[res.status] ?? 0) + 1;
      out.advertised ||= advertisesLimit(res.headers);
      out.last = res;
      if (!out.limited && isLimited(res)) out.limited = res;
      const left = advertisedRemaining(res.headers);
      if (left !== undefined) target = Math.max(target, Math.min(max, out.sent + left + WAVE));
    }
    if (out.limited) break;
  }
  out.elapsedMs = performance.now() - started;
  return out;
}
