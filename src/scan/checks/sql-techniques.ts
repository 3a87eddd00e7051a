import type { Evidence, ProbeResponse, ScanContext } from '../types.ts';
import { injectRequest, type InjectionPoint } from './injection-points.ts';
import { itemCount } from './response-shape.ts';
import { booleanFamilies, delayPayloads, ERROR_PAYLOADS } from './sql-payloads.ts';
import { booleanVerdict, delayVerdict, errorVerdict, looksDelayed } from './sql-verdicts.ts';

// The three techniques, each sending its payloads through the prober and returning the evidence
// of a confirmed injection (undefined when not confirmed). Decisions live in sql-verdicts.ts.

export interface Technique {
  name: 'error-based' | 'boolean-based' | 'time-based';
  evidence: Evidence[];
}

const describe = (r: ProbeResponse): string => {
  const n = itemCount(r.body);
  return `${r.status}, ${n !== undefined ? `${n} items, ` : ''}${r.body.length} bytes`;
};

/** Quote-breaking payloads; confirmed by a SQL error absent from the baseline and from the balanced control. */
export async function errorBased(ctx: ScanContext, point: InjectionPoint, baseline: ProbeResponse): Promise<Technique | undefined> {
  for (const { suffix, control } of ERROR_PAYLOADS) {
    const req = injectRequest(point, `${point.base}${suffix}`);
    const res = await ctx.probe.send(req);
    if (errorVerdict(baseline, res, undefined, true) === undefined) continue;
    const controlReq = injectRequest(point, `${point.base}${control}`);
    const controlRes = await ctx.probe.send(controlReq);
    const hit = errorVerdict(baseline, res, controlRes, point.numeric);
    if (!hit) continue;
    return {
      name: 'error-based',
      evidence: [
        ctx.probe.evidence(req, res, `${hit.db} error after a ${suffix} payload: ${hit.excerpt}`),
        ctx.probe.evidence(controlReq, controlRes, `balanced control ${control}: ${describe(controlRes)}`),
      ],
    };
  }
  return undefined;
}

/** True/false condition pairs; confirmed when both trues agree, both falses agree, and true returns more. */
export async function booleanBased(ctx: ScanContext, point: InjectionPoint, baseline: ProbeResponse): Promise<Technique | undefined> {
  for (const f of booleanFamilies(point.base, point.numeric)) {
    const reqs = { trueA: injectRequest(point, f.trueA), falseA: injectRequest(point, f.falseA) };
    const trueA = await ctx.probe.send(reqs.trueA);
    const falseA = await ctx.probe.send(reqs.falseA);
    // Cheap pre-filter: without a difference here the confirming pair is not worth sending.
    if (!booleanVerdict({ trueA, trueB: trueA, falseA, falseB: falseA })) continue;
    const trueB = await ctx.probe.send(injectRequest(point, f.trueB));
    const falseB = await ctx.probe.send(injectRequest(point, f.falseB));
    if (!booleanVerdict({ trueA, trueB, falseA, falseB })) continue;
    return {
      name: 'boolean-based',
      evidence: [
        ctx.probe.evidence(reqs.trueA, trueA, `always-true condition (${f.context}): ${describe(trueA)}; baseline ${describe(baseline)}`),
        ctx.probe.evidence(reqs.falseA, falseA, `always-false condition: ${describe(falseA)}; a second true/false pair agreed`),
      ],
    };
  }
  return undefined;
}

/**
 * Bounded sleeps (≤ --max-delay seconds, at most 5): slow with the delay, fast with a zero delay,
 * slow again. Only databases with a sleep function (PostgreSQL, MySQL) are tried.
 */
export async function timeBased(ctx: ScanContext, point: InjectionPoint, baseline: ProbeResponse): Promise<Technique | undefined> {
  const seconds = Math.min(ctx.options.maxDelaySeconds, 5);
  if (!(seconds >= 0.5)) return undefined;
  const timeoutMs = Math.ceil(seconds * 1000) + ctx.options.timeoutMs;
  for (const p of delayPayloads(point.base, point.numeric)) {
    const req = { ...injectRequest(point, p.build(seconds)), timeoutMs };
    const slow = await ctx.probe.send(req);
    if (!looksDelayed(seconds, baseline.elapsedMs, slow.elapsedMs)) continue;
    const zeroReq = { ...injectRequest(point, p.build(0)), timeoutMs };
    const zero = await ctx.probe.send(zeroReq);
    const again = await ctx.probe.send(req);
    if (!delayVerdict(seconds, { baselineMs: baseline.elapsedMs, slowMs: slow.elapsedMs, zeroMs: zero.elapsedMs, againMs: again.elapsedMs })) continue;
    const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
    return {
      name: 'time-based',
      evidence: [
        ctx.probe.evidence(req, again, `${p.db} delay of ${seconds} s: answered in ${s(slow.elapsedMs)} and ${s(again.elapsedMs)} vs ${s(baseline.elapsedMs)} baseline`),
        ctx.probe.evidence(zeroReq, zero, `same payload with a 0 s delay: ${s(zero.elapsedMs)}`),
      ],
    };
  }
  return undefined;
}
