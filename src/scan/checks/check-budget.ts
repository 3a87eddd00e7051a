import { BudgetExhausted, type ScanContext } from '../types.ts';

/**
 * Runs a check's probing; when --max-requests runs out midway the check keeps (and returns) what it
 * found so far instead of losing it, and the timeline says the result is partial.
 */
export async function untilBudgetRunsOut(ctx: ScanContext, checkId: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (!(err instanceof BudgetExhausted)) throw err;
    ctx.timeline.event(`${checkId}: request budget exhausted (--max-requests); results are partial`);
  }
}
