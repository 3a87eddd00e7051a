import type { Finding, ScanCheck, ScanContext } from '../types.ts';
import { untilBudgetRunsOut } from './check-budget.ts';
import { describePoint, injectionPoints, injectRequest, type InjectionPoint } from './injection-points.ts';
import { SQL_INJECTION_REMEDIATION } from './remediation-text.ts';
import { booleanBased, errorBased, timeBased, type Technique } from './sql-techniques.ts';

/**
 * Error-based first (cheapest, most certain), then boolean — also after an error hit, since its
 * differential shows what an attacker reads out; time-based last, and only if neither confirmed.
 */
async function testPoint(ctx: ScanContext, point: InjectionPoint): Promise<Technique[]> {
  const baseline = await ctx.probe.send(injectRequest(point, point.base));
  if (baseline.status === 0) return []; // no answer at all: nothing to compare with
  const error = await errorBased(ctx, point, baseline);
  if (point.location === 'path') return error ? [error] : [];
  const boolean = await booleanBased(ctx, point, baseline);
  const found = [error, boolean].filter((t) => t !== undefined);
  if (found.length > 0) return found;
  const time = await timeBased(ctx, point, baseline);
  return time ? [time] : [];
}

/** The article's attack: `/api/search?query=` concatenated into SQL. Non-destructive payloads only. */
export const sqlInjection: ScanCheck = {
  id: 'sql-injection',
  title: 'Testing input validation (SQL injection)...',
  async run(ctx) {
    const findings: Finding[] = [];
    await untilBudgetRunsOut(ctx, this.id, async () => {
      for (const point of injectionPoints(ctx.inventory, ctx.options.allowWrites)) {
        const label = `${point.endpoint.method} ${point.endpoint.path}`;
        ctx.timeline.progress(`${label}: ${describePoint(point)}`);
        const found = await testPoint(ctx, point);
        if (found.length === 0) continue;
        const where = point.location === 'query' ? `${point.endpoint.path}?${point.name}=` : `${label} (${describePoint(point)})`;
        ctx.timeline.event(`SQL injection found in ${where}`);
        findings.push({
          rule: 'sql-injection', severity: 'critical', endpoint: label,
          title: `SQL injection in ${label} (${describePoint(point)}; ${found.map((t) => t.name).join(', ')})`,
          evidence: found.flatMap((t) => t.evidence), remediation: SQL_INJECTION_REMEDIATION,
        });
      }
    });
    return findings;
  },
};
