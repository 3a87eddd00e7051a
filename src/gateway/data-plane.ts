import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { clientAddressFrom } from '../core/forwarding-headers.ts';
import { statusTitle } from '../core/errors.ts';
import type { ListenerConfig } from '../config/schema.ts';
import { newId } from '../identity/ids.ts';
import type { GatewayDeps } from './gateway-deps.ts';
import type { RequestContext } from './context.ts';
import { buildStages, runPipeline } from './pipeline.ts';
import { peerAddress } from './forwarder.ts';
import { writeAudit } from './stages/audit.ts';

/** Node HTTP server options shared by both listeners: strict parsing and slow-client timeouts. */
export function createListener(listen: ListenerConfig, baseDir: string, limits: { maxHeaderBytes: number; headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number }, handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const options = {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    insecureHTTPParser: false, // request smuggling: reject CL+TE, duplicate CL, obfuscated TE, bare LF
    joinDuplicateHeaders: false,
    requireHostHeader: true,
  };
  if (listen.tls) {
    return createHttpsServer({ ...options, cert: readFileSync(resolve(baseDir, listen.tls.cert)), key: readFileSync(resolve(baseDir, listen.tls.key)), minVersion: listen.tls.minVersion }, handler);
  }
  return createHttpServer(options, handler);
}

/** The data plane: every request runs the pipeline; parser-level rejections are answered and audited too. */
export function createDataPlane(deps: GatewayDeps, baseDir: string): Server {
  const stages = buildStages(deps);
  const cfg = deps.state().config;
  const server = createListener(cfg.server.listen, baseDir, cfg.server.limits, (req, res) => {
    void runPipeline(deps, stages, newContext(deps, req, false), { kind: 'http', res });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    void runPipeline(deps, stages, newContext(deps, req, true), { kind: 'upgrade', socket, head });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => onClientError(deps, err, socket));
  return server;
}

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
    principal: undefined,
    attempted: undefined,
    decision: 'deny',
    reasons: [],
    upstreamStatus: undefined,
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
  const tooLarge = code === 'HPE_HEADER_OVERFLOW';
  const timeout = code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const status = tooLarge ? 431 : timeout ? 408 : 400;
  const reason = tooLarge ? 'headers_too_large' : 'bad_request';
  const title = statusTitle(status);
  const body = JSON.stringify({ type: `https://gatehouse.dev/problems/${reason}`, title, status, code: reason });
  socket.end(`HTTP/1.1 ${status} ${title}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  const peer = (socket as { remoteAddress?: string }).remoteAddress ?? '';
  const fake = { url: '', rawHeaders: [], headers: {}, socket } as unknown as IncomingMessage;
  const ctx = newContext(deps, fake, false);
  ctx.clientAddress = peer;
  ctx.method = '-';
  ctx.reasons = [reason];
  writeAudit(deps, ctx);
}
