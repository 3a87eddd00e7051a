import type { IncomingMessage } from 'node:http';
import { invalidRequest, OAuthError } from './oauth-error.ts';

/** Token, introspection and revocation requests are small; anything larger is not one. */
export const MAX_FORM_BYTES = 64 * 1024;

/** The parameters of a form body: each name at most once, empty values treated as absent (RFC 6749 §3.1). */
export type FormParams = ReadonlyMap<string, string>;

/**
 * Parses an `application/x-www-form-urlencoded` body strictly: a repeated parameter, a malformed
 * percent-escape or invalid UTF-8 is `invalid_request` rather than a guess at what was meant.
 */
export function parseForm(body: string): FormParams {
  if (/%(?![0-9A-Fa-f]{2})/.test(body)) throw invalidRequest('malformed percent-encoding in the request body');
  const out = new Map<string, string>();
  const names = new Set<string>(); // includes empty ones: `a=&a=1` is still a repetition
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    if (names.has(name)) throw invalidRequest(`parameter "${name.slice(0, 64)}" is repeated`);
    names.add(name);
    if (value !== '') out.set(name, value);
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replaceAll('+', ' '));
  } catch {
    throw invalidRequest('the request body is not valid UTF-8 form encoding');
  }
}

/** Reads a form body with a size limit and content-type check. */
export async function readForm(req: IncomingMessage): Promise<FormParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded', { status: 415 });
  }
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_FORM_BYTES) throw new OAuthError('invalid_request', `the body exceeds ${MAX_FORM_BYTES} bytes`, { status: 413 });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new OAuthError('invalid_request', `the body exceeds ${MAX_FORM_BYTES} bytes`, { status: 413 });
    chunks.push(chunk);
  }
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let body: string;
  try {
    body = text.decode(Buffer.concat(chunks));
  } catch {
    throw invalidRequest('the request body is not valid UTF-8');
  }
  return parseForm(body);
}
