import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openDemoDb } from './demo-db.ts';
import type { DemoDb } from './demo-db.ts';
import { DemoHttpError, sendError } from './demo-http.ts';
import { DEMO_ROUTES } from './demo-routes.ts';
import { attachEcho } from './demo-ws.ts';

// A stand-in for the article's self-hosted agent-management API: plain node:http + node:sqlite,
// no authentication of its own (that is the gateway's job), bound to loopback only (the article's
// Layer 1).

export interface DemoUpstreamOptions {
  host?: string;
  port?: number;
  /** SQLite file; ':memory:' (default) gives fresh seed data each start. */
  dbPath?: string;
  /** Gap between the SSE events of GET /api/events (default 1000 ms). */
  sseIntervalMs?: number;
}

export interface DemoUpstream {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Requests received so far (including rejected ones and WebSocket upgrades). */
  requestCount(): number;
  close(): Promise<void>;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new DemoHttpError(400, 'invalid_path', 'malformed percent-encoding in path');
  }
}

async function route(req: IncomingMessage, res: ServerResponse, db: DemoDb, sseIntervalMs: number): Promise<void> {
  // Split by hand instead of `new URL(req.url, base)`, which would read "//host/x" as a host.
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));

  const candidates = DEMO_ROUTES.flatMap((r) => {
    const m = r.pattern.exec(path);
    return m ? [{ r, m }] : [];
  });
  if (candidates.length === 0) throw new DemoHttpError(404, 'not_found', 'no such endpoint');
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  const hit = candidates.find(({ r }) => r.method === '*' || r.method === method);
  if (!hit) {
    const allow = candidates.map(({ r }) => r.method).join(', ');
    throw new DemoHttpError(405, 'method_not_allowed', `allowed methods: ${allow}`);
  }
  const params = hit.m.slice(1).map((p) => decodeParam(p ?? ''));
  await hit.r.handler({ req, res, params, query, db, sseIntervalMs });
}

function fail(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof DemoHttpError) {
    const headers: Record<string, string> = {};
    if (err.status === 405) headers.allow = err.message.replace('allowed methods: ', '');
    // The unread rest of an oversized body is not worth draining.
    if (err.status === 413) headers.connection = 'close';
    sendError(res, err.status, err.code, err.message, headers);
    return;
  }
  sendError(res, 500, 'internal_error', 'internal error');
}

/** Start the demo upstream on loopback; resolves once it is listening. */
export async function startDemoUpstream(opts: DemoUpstreamOptions = {}): Promise<DemoUpstream> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host)) throw new Error(`demo upstream binds loopback only, not "${host}"`);
  const db = openDemoDb(opts.dbPath ?? ':memory:');
  const sseIntervalMs = opts.sseIntervalMs ?? 1000;
  let requests = 0;

  const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
    requests += 1;
    route(req, res, db, sseIntervalMs).catch((err: unknown) => fail(res, err));
  });
  server.on('upgrade', () => {
    requests += 1;
  });
  const ws = attachEcho(server, '/api/ws');

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    requestCount: () => requests,
    close: async () => {
      ws.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Open SSE streams and idle keep-alive sockets would otherwise hold close() forever.
      server.closeAllConnections();
      await closed;
      db.close();
    },
  };
}
