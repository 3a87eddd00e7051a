import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatehouseError, statusTitle, type Problem } from '../core/errors.ts';
import type { GatewayDeps } from './gateway-deps.ts';
import { Rejection, type RequestContext, type Stage } from './context.ts';
import { canonicalize } from './stages/canonicalize.ts';
import { route } from './stages/route.ts';
import { sanitize } from './stages/sanitize.ts';
import { authenticate } from './stages/authenticate.ts';
import { authorize } from './stages/authorize.ts';
import { rateLimit } from './stages/rate-limit.ts';
import { auditGate } from './stages/audit-gate.ts';
import { assertIdentity } from './stages/identity.ts';
import { writeAudit } from './stages/audit.ts';

/**
 * The request pipeline, top to bottom. Every stage may throw a Rejection; nothing after it runs,
 * and nothing is forwarded. The audit record is written last, for every outcome.
 */
export function buildStages(deps: GatewayDeps): Stage[] {
  return [
    canonicalize, // one canonical path, used by every later stage and by the upstream request
    route, // before sanitize: the body limit and auth mode are per route
    sanitize, // size and shape checks need no identity, so they run before any credential check
    authenticate(deps),
    authorize(deps),
    rateLimit(deps), // after authorize: a forbidden request must not spend the agent's budget
    assertIdentity(deps), // only for requests that will be forwarded
    auditGate(deps), // last check before forwarding: never serve a request we could not audit
  ];
}

/** Runs the stages, then forwards (HTTP) or upgrades (WebSocket), then audits. */
export async function runPipeline(
  deps: GatewayDeps,
  stages: readonly Stage[],
  ctx: RequestContext,
  out: { kind: 'http'; res: ServerResponse } | { kind: 'upgrade'; socket: Duplex; head: Buffer },
): Promise<void> {
  try {
    for (const stage of stages) {
      const pending = stage(ctx);
      if (pending) await pending; // sync stages cost no microtask
    }
    ctx.decision = 'allow';
    if (ctx.endpoint) {
      if (out.kind !== 'http') throw new Rejection(400, 'bad_request', 'this endpoint does not upgrade', { reasons: ['bad_request'] });
      await ctx.endpoint.handle(ctx, out.res); // answers, and sets its own decision and reasons
      return;
    }
    const limit = ctx.route!.maxBodyBytes ?? ctx.state.config.server.limits.maxBodyBytes;
    if (out.kind === 'http') await deps.forwarder.forward(ctx, out.res, limit);
    else await deps.forwarder.upgrade(ctx, out.socket, out.head);
    ctx.reasons.push('forwarded');
  } catch (err) {
    const rejection = asRejection(err);
    if (!(err instanceof Rejection)) deps.logger.error({ err, requestId: ctx.requestId }, `request refused: ${rejection.code}`);
    ctx.decision = rejection.decision;
    ctx.reasons = uniqueReasons([...ctx.reasons, ...rejection.reasons]);
    reply(ctx, out, rejection);
  } finally {
    writeAudit(deps, ctx);
  }
}

function reply(ctx: RequestContext, out: { kind: 'http'; res: ServerResponse } | { kind: 'upgrade'; socket: Duplex }, r: Rejection): void {
  const problem: Problem = { type: `https://gatehouse.dev/problems/${r.code}`, title: statusTitle(r.status), status: r.status, code: r.code, detail: r.message, instance: ctx.requestId };
  const body = JSON.stringify(problem);
  const headers: Record<string, string> = {
    'content-type': 'application/problem+json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'x-gatehouse-request-id': ctx.requestId, ...ctx.responseHeaders, ...r.headers,
    'content-length': String(Buffer.byteLength(body)),
  };
  if (out.kind === 'upgrade') {
    const lines = [`HTTP/1.1 ${r.status} ${statusTitle(r.status)}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'connection: close'];
    out.socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
    return;
  }
  const { res } = out;
  if (res.headersSent) {
    res.destroy(); // mid-stream failure: the only honest signal left is to cut the connection
    return;
  }
  res.writeHead(r.status, headers);
  res.end(body);
}

/** Fail closed on anything a stage did not mean to throw: a failing dependency (503) or a bug (500). */
function asRejection(err: unknown): Rejection {
  if (err instanceof Rejection) return err;
  if (err instanceof GatehouseError && err.status === 503) {
    return new Rejection(503, err.code, err.expose ? err.message : 'a dependency of the gateway is unavailable', { reasons: ['dependency_unavailable'], decision: 'error', headers: { 'retry-after': '1' } });
  }
  return new Rejection(500, 'internal_error', 'internal error', { reasons: ['internal_error'], decision: 'error' });
}

function uniqueReasons<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
