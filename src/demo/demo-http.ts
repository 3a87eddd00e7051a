import type { IncomingMessage, ServerResponse } from 'node:http';

// Tiny JSON helpers for the demo upstream. Errors are `{ error, message }` with a fixed code and a
// message written for the caller; internals (stacks, SQL) never reach the wire.

/** An error whose status, code and message are safe to send to the client. */
export class DemoHttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'DemoHttpError';
    this.status = status;
    this.code = code;
  }
}

/** Write `body` as a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** Write a JSON error response. */
export function sendError(res: ServerResponse, status: number, code: string, message: string, headers?: Record<string, string>): void {
  sendJson(res, status, { error: code, message }, headers);
}

/** Read and parse a JSON request body, refusing non-JSON content types and bodies over `limit` bytes. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new DemoHttpError(415, 'unsupported_media_type', 'request body must be application/json');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new DemoHttpError(413, 'payload_too_large', `request body must be at most ${limit} bytes`);

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new DemoHttpError(413, 'payload_too_large', `request body must be at most ${limit} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new DemoHttpError(400, 'invalid_json', 'request body is not valid JSON');
  }
}
