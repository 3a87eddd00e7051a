import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpProber } from '../probe.ts';
import type { Endpoint, Prober, ProbeRequest, ScanContext, ScanOptions } from '../types.ts';

/**
 * Test kit for check modules: the real HttpProber (budget, `origin`, byte-exact targets, redacted
 * evidence) with a log of what was sent, a ScanContext builder and tiny purpose-built servers.
 */
export interface TestProber extends Prober {
  /** Every request the check asked for, in order (tests assert what it did and did not send). */
  readonly log: ProbeRequest[];
}

/** A real prober for tests (fast rate); `maxRequests` defaults to 500. Its pools close with the servers' connections. */
export function testProber(target: URL, maxRequests = 500): TestProber {
  const real = new HttpProber({ base: target, headers: {}, maxRequests, rate: 1000, timeoutMs: 3000 });
  const log: ProbeRequest[] = [];
  return {
    log,
    get sent() {
      return real.sent;
    },
    remaining: () => real.remaining(),
    send(req) {
      if (real.remaining() > 0) log.push(req);
      return real.send(req);
    },
    evidence: (req, res, note) => real.evidence(req, res, note),
  };
}

/** A ScanContext around `probe` (default: a fresh testProber) with default options. */
export function testContext(target: string, opts: { inventory?: Endpoint[]; allowWrites?: boolean; probe?: Prober } = {}): ScanContext & { events: string[] } {
  const url = new URL(target);
  const options: ScanOptions = { target: url, headers: {}, allowWrites: opts.allowWrites ?? false, maxRequests: 500, rate: 1000, timeoutMs: 3000, maxDelaySeconds: 2 };
  const events: string[] = [];
  return { options, probe: opts.probe ?? testProber(url), inventory: opts.inventory ?? [], timeline: { event: (m) => events.push(m), progress: () => {} }, events };
}

/** An inventory entry. */
export function ep(method: string, path: string, params: Endpoint['params'] = []): Endpoint {
  return { method, path, params, source: 'openapi' };
}

/** A purpose-built HTTP server (127.0.0.1 unless `host` says otherwise). */
export async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  host = '127.0.0.1',
): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
