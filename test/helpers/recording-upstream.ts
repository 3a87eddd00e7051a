import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

/**
 * An upstream that records everything it receives, so attack tests can assert it saw nothing.
 * `/sse` streams events; `/ws` echoes WebSocket messages; `/slow` answers after `?ms=`.
 */
export async function startRecordingUpstream(): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const wss = new WebSocketServer({ noServer: true });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body });
      if (req.url?.includes('/sse')) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        let n = 0;
        const t = setInterval(() => {
          n += 1;
          res.write(`data: event-${n}\n\n`);
          if (n === 3) {
            clearInterval(t);
            res.end();
          }
        }, 10);
        return;
      }
      const delay = req.url?.includes('/slow') ? Number(new URL(req.url, 'http://x').searchParams.get('ms') ?? '1000') : 0;
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json', connection: 'x-drop-me', 'x-drop-me': '1', 'keep-alive': 'timeout=5' });
        res.end(JSON.stringify({ ok: true, method: req.method, url: req.url, bodyLength: body.length }));
      }, delay);
    });
  });
  server.on('upgrade', (req, socket, head) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body: '' });
    wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (m) => ws.send(`echo:${String(m)}`)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        wss.close();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
