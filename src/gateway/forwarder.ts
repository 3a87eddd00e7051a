import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Transform } from 'node:stream';
import { Pool, errors as undiciErrors } from 'undici';
import { buildUpstreamHeaders, HOP_BY_HOP, normalizeAddress } from '../core/forwarding-headers.ts';
import { encodePathForUpstream, stripPathPrefix } from '../core/canonicalize-path.ts';
import type { RouteConfig } from '../config/schema.ts';
import { Rejection, type RequestContext } from './context.ts';
import { identityHeaders } from './identity-headers.ts';

/**
 * The upstream side: one keep-alive undici Pool per upstream origin, request and response bodies
 * streamed (never buffered), hop-by-hop headers removed both ways, per-route timeouts.
 */
export class Forwarder {
  readonly #pools = new Map<string, Pool>();

  #pool(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: 128, keepAliveTimeout: 10_000, pipelining: 1 });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  /**
   * Forwards ctx.req to the route's upstream and streams the answer into `res`. `Pool.stream`
   * writes the upstream body straight into the response (no intermediate Readable, no pipeline()).
   */
  async forward(ctx: RequestContext, res: ServerResponse, maxBodyBytes: number): Promise<void> {
    const { origin, path } = upstreamTarget(ctx.route!, ctx.path!, ctx.query);
    const h = ctx.req.headers;
    const hasBody = h['content-length'] !== undefined ? h['content-length'] !== '0' : h['transfer-encoding'] !== undefined;
    try {
      await this.#pool(origin).stream(
        {
          path,
          method: ctx.method as 'GET',
          headers: this.#headers(ctx),
          body: hasBody ? limitBody(ctx.req, maxBodyBytes) : null,
          headersTimeout: ctx.route!.timeoutMs,
          bodyTimeout: 0, // streams (SSE) may idle; the client side's timeouts still apply
        },
        ({ statusCode, headers }) => {
          ctx.upstreamStatus = statusCode;
          res.writeHead(statusCode, responseHeaders(headers, ctx.responseHeaders));
          if (headers['content-type'] === 'text/event-stream') res.flushHeaders();
          return res;
        },
      );
    } catch (err) {
      // The caller hung up mid-request: not an upstream fault, and nobody is left to answer.
      if (ctx.req.socket.destroyed) throw new Rejection(499, 'client_aborted', 'the client closed the connection', { reasons: ['client_aborted'], decision: 'allow' });
      // Once the response has started, pipeline.ts cuts the connection; before, it answers 502/504.
      throw upstreamFailure(err);
    }
  }

  /** Proxies an authorized WebSocket upgrade: 101 from the upstream, then bytes both ways. */
  async upgrade(ctx: RequestContext, socket: Duplex, head: Buffer): Promise<void> {
    const { origin, path } = upstreamTarget(ctx.route!, ctx.path!, ctx.query);
    let data;
    try {
      data = await this.#pool(origin).upgrade({ path, method: 'GET', headers: this.#headers(ctx), protocol: ctx.req.headers.upgrade ?? 'websocket' });
    } catch (err) {
      throw upstreamFailure(err);
    }
    ctx.upstreamStatus = 101;
    const lines = ['HTTP/1.1 101 Switching Protocols', 'connection: Upgrade', `upgrade: ${ctx.req.headers.upgrade ?? 'websocket'}`];
    for (const [k, v] of Object.entries(responseHeaders(data.headers, {}))) for (const one of ([] as string[]).concat(v)) lines.push(`${k}: ${one}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) data.socket.write(head);
    data.socket.on('error', () => socket.destroy());
    socket.on('error', () => data.socket.destroy());
    data.socket.pipe(socket).pipe(data.socket);
  }

  #headers(ctx: RequestContext): string[] {
    return buildUpstreamHeaders({
      rawHeaders: ctx.req.rawHeaders,
      // Edge semantics: a trusted proxy's chain is extended by the hop we saw (the socket peer).
      clientAddress: ctx.state.trustedProxies.entries.length > 0 ? (normalizeAddress(peerAddress(ctx.req)) ?? ctx.clientAddress) : ctx.clientAddress,
      forwardedProto: (ctx.req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http',
      host: ctx.req.headers.host,
      requestId: ctx.requestId,
      identity: identityHeaders(ctx),
      keepUpgrade: false, // undici sets connection/upgrade itself for upgrades
      stripCredentials: !ctx.route!.passCallerToken, // the caller's own credential goes upstream only when the route asks for it
      trustIncomingXff: ctx.state.trustedProxies.contains(peerAddress(ctx.req)),
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((p) => p.close()));
    this.#pools.clear();
  }
}

export function peerAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? '';
}

/** Parsed once per route config object (routes are frozen; a reload brings new objects). */
const upstreamBase = new WeakMap<RouteConfig, { origin: string; basePath: string }>();

function upstreamTarget(route: RouteConfig, path: string, query: string): { origin: string; path: string } {
  let base = upstreamBase.get(route);
  if (!base) {
    const url = new URL(route.upstream);
    base = { origin: url.origin, basePath: url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname };
    upstreamBase.set(route, base);
  }
  const rest = route.stripPrefix !== undefined ? stripPathPrefix(path, route.stripPrefix) : path;
  // Built by concatenation from the canonical path: a request path can never change the origin.
  return { origin: base.origin, path: `${base.basePath}${encodePathForUpstream(rest)}${query ? `?${query}` : ''}` };
}

const HOP: ReadonlySet<string> = new Set(HOP_BY_HOP);

/** The upstream's response headers minus hop-by-hop ones (and any it named in Connection), plus ours. */
function responseHeaders(headers: IncomingHttpHeaders, ours: Record<string, string>): Record<string, string | string[]> {
  let named: Set<string> | undefined;
  const conn = headers.connection;
  if (conn !== undefined) {
    named = new Set();
    for (const v of ([] as string[]).concat(conn)) for (const n of v.split(',')) named.add(n.trim().toLowerCase());
  }
  const out: Record<string, string | string[]> = {};
  for (const k in headers) {
    const v = headers[k];
    if (v !== undefined && !HOP.has(k) && !named?.has(k)) out[k] = v;
  }
  for (const k in ours) out[k] = ours[k]!;
  return out;
}

/** Counts streamed request bytes (chunked bodies have no declared length) and aborts past the limit. */
function limitBody(req: IncomingMessage, max: number): Transform | IncomingMessage {
  if (req.headers['content-length'] !== undefined) return req; // the parser enforces the declared length, checked in sanitize
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > max) cb(new Rejection(413, 'body_too_large', `request body exceeds ${max} bytes`, { reasons: ['body_too_large'] }));
      else cb(null, chunk);
    },
  });
  req.pipe(counter);
  req.on('error', (e) => counter.destroy(e));
  return counter;
}

function upstreamFailure(err: unknown): Rejection {
  if (err instanceof Rejection) return err;
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.ConnectTimeoutError) {
    return new Rejection(504, 'upstream_timeout', 'the upstream did not answer in time', { reasons: ['upstream_timeout'], decision: 'allow' });
  }
  return new Rejection(502, 'upstream_error', 'the upstream could not be reached', { reasons: ['upstream_error'], decision: 'allow' });
}
