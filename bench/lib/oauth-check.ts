import { decodeJwt, decodeProtectedHeader } from 'jose';

// What both token endpoints are held to before they are measured: the benchmark's exact request
// gets a 200 with an ES256-signed JWT access token for the requested resource.

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded, then Base64'd into the Basic header. */
export function basicAuth(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** The body every issuance request sends, to either server. */
export function tokenRequestBody(resource: string, scope: string): string {
  return new URLSearchParams({ grant_type: 'client_credentials', scope, resource }).toString();
}

export const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' } as const;

/** POST the request once; throw unless it yields an ES256 JWT access token for `resource`. */
export async function requestToken(url: string, headers: Record<string, string>, body: string, resource: string): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`token request to ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  const token = (JSON.parse(text) as { access_token?: unknown }).access_token;
  if (typeof token !== 'string') throw new Error(`token response has no access_token: ${text.slice(0, 500)}`);
  const header = decodeProtectedHeader(token);
  const aud = decodeJwt(token).aud;
  if (header.alg !== 'ES256') throw new Error(`access token is signed with ${String(header.alg)}, not ES256`);
  if (aud !== resource && !(Array.isArray(aud) && aud.includes(resource))) throw new Error(`access token audience is ${JSON.stringify(aud)}, not ${resource}`);
  return token;
}
