import type { IncomingMessage, ServerResponse } from 'node:http';

// GET /api/events: a Server-Sent Events stream, so a demo can show that streaming responses pass
// through the gateway unbuffered. A few status events, then comments to keep the stream alive
// until the client goes away.

export const SSE_EVENT_COUNT = 3;
const KEEP_ALIVE_MS = 15_000;

/** Stream `SSE_EVENT_COUNT` events `intervalMs` apart (the first at once), then keep-alives. */
export function handleEvents(req: IncomingMessage, res: ServerResponse, intervalMs: number): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    // Asks buffering proxies (nginx) to pass each event through at once.
    'x-accel-buffering': 'no',
  });
  let seq = 0;
  const send = (): void => {
    seq += 1;
    res.write(`id: ${seq}\nevent: status\ndata: ${JSON.stringify({ seq, message: `agent heartbeat ${seq}` })}\n\n`);
    if (seq >= SSE_EVENT_COUNT) {
      clearInterval(events);
      keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    }
  };
  let keepAlive: NodeJS.Timeout | undefined;
  const events = setInterval(send, intervalMs);
  send();
  res.on('close', () => {
    clearInterval(events);
    clearInterval(keepAlive);
  });
  req.resume();
}
