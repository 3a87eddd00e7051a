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
  if (!s.includes('%') && !s.includes('+')) return s; // the common case: nothing to decode
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
  const raw = await readBody(req);
  let body: string;
  try {
    body = UTF8.decode(raw);
  } catch {
    throw invalidRequest('the request body is not valid UTF-8');
  }
  return parseForm(body);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Collects the body with event listeners (cheaper than async iteration for one small chunk). */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        req.removeAllListeners('data');
        req.resume(); // drain without keeping it
        reject(new OAuthError('invalid_request', `the body exceeds ${MAX_FORM_BYTES} bytes`, { status: 413 }));
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}
