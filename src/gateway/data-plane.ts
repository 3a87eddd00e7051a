import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { clientAddressFrom } from '../core/forwarding-headers.ts';
import { ConfigError, statusTitle } from '../core/errors.ts';
import type { ListenerConfig } from '../config/schema.ts';
import { newId } from '../identity/ids.ts';
import type { GatewayDeps } from './gateway-deps.ts';
import type { RequestContext } from './context.ts';
import { buildStages, runPipeline } from './pipeline.ts';
import { peerAddress } from './forwarder.ts';
import { writeAudit } from './stages/audit.ts';

/** Node HTTP server options shared by both listeners: strict parsing and slow-client timeouts. */
export function createListener(field: string, listen: ListenerConfig, baseDir: string, limits: { maxHeaderBytes: number; headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number }, handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const options = {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node enforces headersTimeout/requestTimeout only when this check runs (default every 30 s),
    // so without it a slowloris connection would outlive its timeout by up to 30 s.
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    insecureHTTPParser: false, // request smuggling: reject CL+TE, duplicate CL, obfuscated TE, bare LF
    joinDuplicateHeaders: false,
    requireHostHeader: true,
  };
  if (listen.tls) {
    const read = (which: 'cert' | 'key'): Buffer => {
      const path = resolve(baseDir, listen.tls![which]);
      try {
        return readFileSync(path);
      } catch (err) {
        throw new ConfigError([`${field}.tls.${which}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
      }
    };
    try {
      return createHttpsServer({ ...options, cert: read('cert'), key: read('key'), minVersion: listen.tls.minVersion }, handler);
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError([`${field}.tls: the certificate and key are not usable (${(err as Error).message})`]);
    }
  }
  return createHttpServer(options, handler);
}

/** The data plane: every request runs the pipeline; parser-level rejections are answered and audited too. */
export function createDataPlane(deps: GatewayDeps, baseDir: string): Server {
  const stages = buildStages(deps);
  const cfg = deps.state().config;
  const server = createListener('server.listen', cfg.server.listen, baseDir, cfg.server.limits, (req, res) => {
    const ctx = newContext(deps, req, false);
    const socket = req.socket;
    inPipeline.set(socket, { ctx, res });
    void runPipeline(deps, stages, ctx, { kind: 'http', res }).finally(() => {
      if (inPipeline.get(socket)?.ctx === ctx) inPipeline.delete(socket);
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    void runPipeline(deps, stages, newContext(deps, req, true), { kind: 'upgrade', socket, head });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => onClientError(deps, err, socket));
  return server;
}

/**
 * The request the pipeline is working on, per connection. Node can fail to parse a request after
 * it has already dispatched it (an invalid Transfer-Encoding is only detected where the body
 * starts; a malformed chunk mid-body): that request then has its own audit record to carry the
 * parser error, and a second, parser-level record would count one request twice.
 */
const inPipeline = new WeakMap<Duplex, { ctx: RequestContext; res: ServerResponse }>();

function newContext(deps: GatewayDeps, req: IncomingMessage, upgrade: boolean): RequestContext {
  const state = deps.state();
  const peer = peerAddress(req);
  const xff = req.headers['x-forwarded-for'];
  return {
    requestId: newId('req'),
    receivedAt: deps.clock.now(),
    startedAt: process.hrtime.bigint(),
    req,
    state,
    upgrade,
    clientAddress: clientAddressFrom(peer, xff === undefined ? [] : ([] as string[]).concat(xff), state.trustedProxies),
    method: req.method ?? 'GET',
    path: undefined,
    query: '',
    route: undefined,
    endpoint: undefined,
    principal: undefined,
    attempted: undefined,
    decision: 'deny',
    reasons: [],
    upstreamStatus: undefined,
    identityAssertion: undefined,
    details: undefined,
    responseHeaders: {},
  };
}

/**
 * The HTTP parser refused the request (oversized headers, smuggling attempts, bad syntax,
 * timeouts). Answer 431/400/408 and close; the pipeline never ran, so nothing was forwarded.
 */
function onClientError(deps: GatewayDeps, err: NodeJS.ErrnoException, socket: Duplex): void {
  const code = err.code ?? '';
  if (code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const owner = inPipeline.get(socket);
  if (owner) owner.ctx.reasons.push('bad_request');
  if (owner?.res.headersSent) {
    socket.destroy(); // a response is already under way: a 400 written now would corrupt it
    return;
  }
  const tooLarge = code === 'HPE_HEADER_OVERFLOW';
  const timeout = code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const status = tooLarge ? 431 : timeout ? 408 : 400;
  const reason = tooLarge ? 'headers_too_large' : 'bad_request';
  const title = statusTitle(status);
  const body = JSON.stringify({ type: `https://gatehouse.dev/problems/${reason}`, title, status, code: reason });
  socket.end(`HTTP/1.1 ${status} ${title}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  if (owner) return; // audited by the pipeline, with the reason added above
  const peer = (socket as { remoteAddress?: string }).remoteAddress ?? '';
  const fake = { url: '', rawHeaders: [], headers: {}, socket } as unknown as IncomingMessage;
  const ctx = newContext(deps, fake, false);
  ctx.clientAddress = peer;
  ctx.method = '-';
  ctx.reasons = [reason];
  writeAudit(deps, ctx);
}
