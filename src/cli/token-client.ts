import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type JWK } from 'jose';
import { badRequest, GatehouseError } from '../core/errors.ts';
import { UsageError, type Out } from './command.ts';
import { readJsonObject } from './read-input.ts';

// The client side of the token endpoint, for `gatehouse token`: discovery, the HTTP exchange and
// the private_key_jwt client assertion.

const ASSERTION_TTL_SECONDS = 60;
/** Algorithms a key's type implies unambiguously; RSA keys need --alg (RS256 and PS256 share a key). */
const IMPLIED_ALG: Record<string, string> = { 'EC:P-256': 'ES256', 'EC:P-384': 'ES384', 'EC:P-521': 'ES512', 'OKP:Ed25519': 'EdDSA' };

/** RFC 8414 §3: the metadata of issuer https://h/p is at https://h/.well-known/oauth-authorization-server/p. */
export async function discoverTokenEndpoint(base: URL, doFetch: typeof fetch, signal: AbortSignal, out: Out): Promise<string> {
  const path = base.pathname.replace(/\/+$/, '');
  const metadataUrl = `${base.origin}/.well-known/oauth-authorization-server${path}`;
  const res = await request(() => doFetch(metadataUrl, { headers: { accept: 'application/json' }, redirect: 'manual', signal }), metadataUrl);
  if (res.status === 404) {
    await res.body?.cancel();
    const fallback = `${base.origin}${path}/oauth/token`;
    out.stderr.write(`note: no authorization server metadata at ${metadataUrl}; using ${fallback}\n`);
    return fallback;
  }
  const doc = await jsonBody(res, metadataUrl);
  if (!res.ok || typeof doc.token_endpoint !== 'string' || !URL.canParse(doc.token_endpoint)) {
    throw new GatehouseError('metadata_invalid', 502, `${metadataUrl} answered ${res.status} without a token_endpoint`, { expose: true });
  }
  const endpoint = new URL(doc.token_endpoint);
  if (endpoint.origin !== base.origin) {
    throw new GatehouseError('metadata_invalid', 502, `the metadata names a token endpoint on another origin (${endpoint.origin}); to send credentials there, use --url ${endpoint.origin}`, { expose: true });
  }
  return endpoint.href;
}

export async function request(send: () => Promise<Response>, url: string): Promise<Response> {
  try {
    return await send();
  } catch (err) {
    const reason = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new GatehouseError('token_endpoint_unreachable', 503, `cannot reach ${url} (${reason})`, { expose: true, cause: err });
  }
}

export async function jsonBody(res: Response, url: string): Promise<Record<string, unknown>> {
  if (res.status >= 300 && res.status < 400) throw new GatehouseError('token_request_failed', 502, `${url} answered a redirect (${res.status}); redirects are not followed`, { expose: true });
  const text = await res.text();
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through: not JSON
  }
  throw new GatehouseError('token_request_failed', 502, `${url} answered ${res.status} with a body that is not a JSON object`, { expose: true });
}

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded before Base64. */
export const formEncode = (s: string): string => new URLSearchParams({ x: s }).toString().slice(2);

/** RFC 7523 §3: iss = sub = the client, aud = the token endpoint, short-lived, single-use jti. */
export async function clientAssertion(cwd: string, file: string, v: { alg?: string; kid?: string }, client: string, endpoint: string): Promise<string> {
  const jwk = readJsonObject(cwd, file, 'private key');
  if (typeof jwk.d !== 'string') throw badRequest('jwk_not_private', `${file} holds no private key ("d"): private_key_jwt signs with the agent's PRIVATE key`);
  const alg = v.alg ?? (typeof jwk.alg === 'string' ? jwk.alg : IMPLIED_ALG[`${String(jwk.kty)}:${String(jwk.crv)}`]);
  if (alg === undefined) throw new UsageError(`--alg is needed: ${file} has no "alg" and its key type does not imply one`);
  const kid = v.kid ?? (typeof jwk.kid === 'string' ? jwk.kid : undefined);
  let key;
  try {
    key = await importJWK(jwk as JWK, alg);
  } catch (err) {
    throw badRequest('jwk_invalid', `${file} is not a valid ${alg} private key (${(err as Error).message})`);
  }
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg, ...(kid === undefined ? {} : { kid }) })
    .setIssuer(client).setSubject(client).setAudience(endpoint)
    .setIssuedAt(now).setExpirationTime(now + ASSERTION_TTL_SECONDS).setJti(randomUUID())
    .sign(key);
}

