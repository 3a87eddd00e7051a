import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpProber } from '../../../src/scan/probe.ts';
import { ROUTES } from '../../fixtures/vulnerable-api-routes.ts';
import type { Endpoint, ScanContext, ScanOptions } from '../../../src/scan/types.ts';

// Test support for the authentication, bypass, injection and rate-limit checks: purpose-built
// servers on 127.0.0.1 that record what reached them, and a ScanContext over the real HttpProber.

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface TestServer {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** Starts a server whose handler gets the raw request target and the whole body. */
export async function startTestServer(handle: (req: SeenRequest, res: ServerResponse) => void | Promise<void>): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: SeenRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      Promise.resolve(handle(s, res)).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Writes a JSON answer. */
export function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export interface TestScan {
  ctx: ScanContext;
  events: string[];
  close(): Promise<void>;
}

/** A ScanContext against `base` over the real HttpProber; `options` override the defaults. */
export function testScan(base: string, inventory: Endpoint[], options: Partial<ScanOptions> = {}): TestScan {
  const events: string[] = [];
  const opts: ScanOptions = {
    target: new URL(base), headers: {}, allowWrites: false, maxRequests: 2000, rate: 2000, timeoutMs: 5000, maxDelaySeconds: 2, ...options,
  };
  const probe = new HttpProber({ base: opts.target, headers: opts.headers, maxRequests: opts.maxRequests, rate: opts.rate, timeoutMs: opts.timeoutMs });
  return {
    events,
    ctx: { options: opts, probe, inventory, timeline: { event: (m) => void events.push(m), progress: () => undefined } },
    close: () => probe.close(),
  };
}

/** Shorthand for an inventory entry. */
export function endpoint(method: string, path: string, params: Endpoint['params'] = []): Endpoint {
  return { method, path, params, source: 'openapi' };
}

/** The vulnerable fixture's documented endpoints, as recon would list them from its OpenAPI document. */
export function fixtureInventory(): Endpoint[] {
  return ROUTES.filter((r) => !r.undocumented).map((r) => ({
    method: r.method,
    path: r.path,
    params: [
      ...(r.params ?? []).map((p) => ({ name: p.name, in: p.in, example: p.example })),
      ...Object.keys(r.body ?? {}).map((name) => ({ name, in: 'body' as const })),
    ],
    source: 'openapi' as const,
  }));
}
