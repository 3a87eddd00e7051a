import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';

// WebSocket echo on one path, so a demo can show upgrades pass through the gateway.

const MAX_PAYLOAD_BYTES = 64 * 1024;

/** Answer upgrades to `path` with an echoing WebSocket; refuse every other upgrade with 404. */
export function attachEcho(server: Server, path: string): { close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES });
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('error', () => ws.terminate());
  });
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if ((req.url ?? '').split('?')[0] !== path) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  return {
    close() {
      // Upgraded sockets are no longer tracked by the HTTP server, so end them here.
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
