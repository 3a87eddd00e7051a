import { Rejection, type RequestContext } from '../context.ts';

/**
 * Finds the route for host + canonical path. Built-in endpoints (the token service) come first, so
 * no configured route can shadow them. No route: 404, nothing is forwarded anywhere.
 */
export function route(ctx: RequestContext): void {
  const path = ctx.path as string;
  const local = ctx.state.endpoints.match(path);
  if (local) {
    ctx.endpoint = local;
    ctx.route = local.route;
    return;
  }
  const found = ctx.state.routes.match(ctx.req.headers.host, path);
  if (!found) throw new Rejection(404, 'no_route', 'no route for this path', { reasons: ['no_route'] });
  ctx.route = found;
}
