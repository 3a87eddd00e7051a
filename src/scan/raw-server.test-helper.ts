import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** One request as it arrived on the wire. */
export interface RawSeen {
  /** The request line exactly as sent, e.g. `GET /api/../admin HTTP/1.1`. */
  line: string;
  headers: Record<string, string>;
  body: string;
}

export type RawReply = { status?: number; headers?: Record<string, string>; body?: string } | 'hang';

/**
 * A plain TCP server that parses just enough HTTP/1.1 to record each request line byte for byte
 * (node:http would normalise nothing either, but this proves what left the client) and answers
 * with `reply(seen)`; `'hang'` never answers (timeout tests).
 */
export async function startRawServer(reply: (seen: RawSeen) => RawReply = () => ({ body: 'ok' })): Promise<{ url: string; port: number; seen: RawSeen[]; close(): Promise<void> }> {
  const seen: RawSeen[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1').split('\r\n');
        const headers: Record<string, string> = {};
        for (const h of head.slice(1)) {
          const i = h.indexOf(':');
          headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
        }
        const length = Number(headers['content-length'] ?? 0);
        if (buf.length < end + 4 + length) return;
        const req: RawSeen = { line: head[0]!, headers, body: buf.subarray(end + 4, end + 4 + length).toString('utf8') };
        buf = buf.subarray(end + 4 + length);
        seen.push(req);
        const r = reply(req);
        if (r === 'hang') continue;
        const body = Buffer.from(r.body ?? '');
        const lines = [`HTTP/1.1 ${r.status ?? 200} X`, `content-length: ${body.length}`, ...Object.entries(r.headers ?? {}).map(([k, v]) => `${k}: ${v}`)];
        socket.write(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, port, seen,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
