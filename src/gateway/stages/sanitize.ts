import { methodOverrideAttempt } from '../../core/request-limits.ts';
import { scanQuery } from '../../core/query-checks.ts';
import { Rejection, type RequestContext } from '../context.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Request-shape checks that need no identity, so they run before any credential check:
 * body size (413), method allow-list, method-override headers, credentials in the query string.
 * (Header size is enforced by the HTTP parser itself: 431 before this pipeline runs.)
 */
export function sanitize(ctx: RequestContext): void {
  const { req } = ctx;
  const route = ctx.route!;
  const limit = route.maxBodyBytes ?? ctx.state.config.server.limits.maxBodyBytes;
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    throw new Rejection(413, 'body_too_large', `request body exceeds ${limit} bytes`, { reasons: ['body_too_large'], headers: { connection: 'close' } });
  }
  const te = req.headers['transfer-encoding'];
  if (te !== undefined && !FINAL_CHUNKED.test(te)) {
    // RFC 9112 §6.3: without chunked as the final coding the body length is unknowable (smuggling).
    // Node rejects these too, but only once body bytes arrive; this never lets one be forwarded.
    throw new Rejection(400, 'bad_request', 'Transfer-Encoding must end in chunked', { reasons: ['bad_request'], headers: { connection: 'close' } });
  }
  if (!METHODS.has(ctx.method)) throw new Rejection(405, 'method_not_allowed', `method ${ctx.method} is not allowed`, { reasons: ['bad_request'] });
  if (methodOverrideAttempt(req.rawHeaders) !== undefined) {
    // A policy decided on the real method; an override header could make the upstream act on another one.
    throw new Rejection(400, 'method_override_rejected', 'method override headers are not accepted', { reasons: ['method_override_rejected'] });
  }
  if (ctx.upgrade && !route.websocket) throw new Rejection(400, 'upgrade_not_allowed', 'this route does not accept WebSocket upgrades', { reasons: ['bad_request'] });
  const query = scanQuery(ctx.query);
  if (query.methodOverride) {
    throw new Rejection(400, 'method_override_rejected', 'method override parameters are not accepted', { reasons: ['method_override_rejected'] });
  }
  if (query.credential) {
    throw new Rejection(401, 'credential_in_query', 'credentials are never accepted in the query string', {
      reasons: ['credential_in_query'], headers: { 'www-authenticate': 'Bearer realm="gatehouse"' },
    });
  }
}

const FINAL_CHUNKED = /(?:^|,)[ \t]*chunked[ \t]*$/i;
