import { Rejection, type RequestContext } from '../context.ts';

/** Finds the route for host + canonical path. No route: 404, nothing is forwarded anywhere. */
export function route(ctx: RequestContext): void {
  const path = ctx.path as string;
  const found = ctx.state.routes.match(ctx.req.headers.host, path);
  if (!found) throw new Rejection(404, 'no_route', 'no route for this path', { reasons: ['no_route'] });
  ctx.route = found;
}
