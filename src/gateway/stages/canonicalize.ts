import { canonicalizeTarget } from '../../core/canonicalize-path.ts';
import { Rejection, type RequestContext } from '../context.ts';

/** Turns the raw request-target into the one canonical path every later stage uses (or rejects it). */
export function canonicalize(ctx: RequestContext): void {
  const result = canonicalizeTarget(ctx.req.url ?? '');
  if (!result.ok) throw new Rejection(400, result.reason, result.message, { reasons: [result.reason] });
  ctx.path = result.path;
  ctx.query = result.query;
}
