import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { formatIssues } from '../config/load-config.ts';
import { badRequest, GatehouseError, toProblem } from '../core/errors.ts';

// Admin responses carry identities, key metadata and audit data: never cache them anywhere.
const COMMON_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

/** Sends a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body), headers);
}

/** Sends a non-JSON body (Prometheus text). */
export function send(res: ServerResponse, status: number, contentType: string, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { ...COMMON_HEADERS, ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Sends any error as RFC 9457 problem+json; 5xx details never leave the process (toProblem). */
export function sendProblem(res: ServerResponse, err: unknown, extraHeaders: Record<string, string> = {}): void {
  const problem = toProblem(err);
  const headers = { ...(err instanceof GatehouseError ? err.headers : undefined), ...extraHeaders };
  send(res, problem.status, 'application/problem+json', JSON.stringify(problem), headers);
}

/** Reads the request body, refusing more than `maxBytes` (413) before and while reading. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new GatehouseError('body_too_large', 413, `request body exceeds ${maxBytes} bytes`, { headers: { connection: 'close' } });
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON body; an empty body is `{}`. Only application/json is accepted. */
export function parseJsonBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return {};
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json') throw new GatehouseError('unsupported_media_type', 415, 'request body must be application/json');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('invalid_json', 'request body is not valid JSON');
  }
}

/** Turns a query string into an object; a repeated parameter is refused rather than guessed at. */
export function parseQuery(search: string): Record<string, string> {
  const entries = [...new URLSearchParams(search)];
  const seen = new Set<string>();
  for (const [k] of entries) {
    if (seen.has(k)) throw badRequest('invalid_request', `query parameter "${k}" is repeated`);
    seen.add(k);
  }
  return Object.fromEntries(entries); // own properties only, even for a key named __proto__
}

/** Validates against a zod schema; the 400 names every bad field (`body.name: …`). */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = formatIssues(result.error.issues.map((i) => ({ ...i, path: [where, ...i.path] })));
  throw badRequest('invalid_request', issues.join('; '));
}
