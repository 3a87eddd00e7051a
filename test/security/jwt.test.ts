import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  calculateJwkThumbprint, CompactEncrypt, CompactSign, createLocalJWKSet, decodeJwt, decodeProtectedHeader, exportJWK, exportSPKI,
  generateKeyPair, importJWK, jwtVerify, UnsecuredJWT, type CryptoKey, type JWK, type JSONWebKeySet,
} from 'jose';
import { loadConfig } from '../../src/config/load-config.ts';
import { openLocal, type LocalCore } from '../../src/app/open-local.ts';
import { startGateway, type RunningGateway } from '../../src/app/gateway-runtime.ts';
import { LocalOAuthOps } from '../../src/admin/local-oauth-ops.ts';
import { silentLogger } from '../../src/obs/logger.ts';
import { startHarness, type Harness } from '../helpers/gateway-harness.ts';
import {
  assertOAuthRejected, assertRejected, attackConfig, basicAuth, bearer, compact, fromRaw, fromResponse, rawExchange, rawGet, segment, snapshot,
  tokenRequest, type Observed,
} from './attack-kit.ts';

// SECURITY-CASES 1–15: JWT access tokens at the gateway. Every forged token below would be
// accepted by a verifier that trusted the token's own header (alg, kid, jwk, jku, crit) or skipped
// a claim check. Tokens are signed with jose where jose will sign them (including with Gatehouse's
// real private key, so the defect under test is the only one); what jose refuses to produce
// (alg none with an empty signature, zero signatures, malformed crit) is assembled by hand.

const API = 'https://api.jwt.test/';
const OTHER = 'https://other.jwt.test/';
const AGENT = 'reader';
const SUB = `spiffe://gatehouse.local/agent/${AGENT}`;

const config = (u: string): Record<string, unknown> => ({
  ...attackConfig(u),
  oauth: { resources: [{ uri: API }, { uri: OTHER }], defaultResource: API, rateLimit: { rate: 10_000, burst: 10_000 } },
  routes: [
    { id: 'jwt-only', path: '/api/*', upstream: u, resource: API, accept: ['jwt'] },
    { id: 'mixed', path: '/mixed/*', upstream: u, resource: API }, // API keys and JWTs
  ],
  policies: { rules: [{ id: 'read', methods: ['GET'], paths: ['/api/*', '/mixed/*'], agents: { scopes: ['read'] } }] },
});

interface Pair { privateKey: CryptoKey; jwk: JWK }
const pair = async (alg: string, opts: { crv?: string } = {}): Promise<Pair> => {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...opts });
  return { privateKey, jwk: await exportJWK(publicKey) };
};

/** A server an attacker controls on loopback: it must never be asked for anything. */
interface Evil { url: string; hits: number; server: Server }

/** Everything the rows need to forge a token. */
interface Kit {
  real: { kid: string; privateKey: CryptoKey; jwk: JWK; pem: string };
  attacker: Record<'es256' | 'es384' | 'es512' | 'rs256' | 'ps256' | 'ed25519', Pair>;
  evil: Evil;
  /** A token the token endpoint issued, and the identity assertion an upstream received with it. */
  genuine: string;
  identity: string;
  /** Valid access-token claims for the agent; `undefined` in `over` removes a claim. */
  claims(over?: Record<string, unknown>): Record<string, unknown>;
  /** The header Gatehouse uses; `undefined` in `over` removes a parameter. */
  header(over?: Record<string, unknown>): Record<string, unknown>;
  /** jose-signed compact JWS (default: Gatehouse's real signing key). */
  sign(payload: unknown, header: Record<string, unknown>, key?: CryptoKey | Uint8Array, crit?: Record<string, boolean>): Promise<string>;
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const drop = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const nowS = (): number => Math.floor(Date.now() / 1000);
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
/** P-256 group order n: r = s = n is as invalid as r = s = 0 (CVE-2022-21449 family). */
const P256_N = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');

/** ES256 over exactly these header/payload bytes, with WebCrypto: for headers jose will not sign (malformed crit). */
async function signRawEs256(header: unknown, payload: unknown, key: CryptoKey): Promise<string> {
  const input = `${segment(header)}.${segment(payload)}`;
  const sig = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, bytes(input));
  return `${input}.${Buffer.from(sig).toString('base64url')}`;
}

/** Replaces the signature of a (validly signed) token. */
const withSignature = (token: string, sig: Uint8Array | string): string =>
  `${token.split('.').slice(0, 2).join('.')}.${typeof sig === 'string' ? sig : Buffer.from(sig).toString('base64url')}`;

interface Row {
  case: number;
  name: string;
  token: (k: Kit) => string | Promise<string>;
  reason: string;
  status?: number;
  /** The raw request; default `GET <path>` with `Authorization: Bearer <token>`. */
  request?: (token: string, path: string) => string;
}

const hs = (alg: string, secret: (k: Kit) => Uint8Array, kid = true) => async (k: Kit): Promise<string> =>
  k.sign(k.claims(), k.header({ alg, ...(kid ? {} : { kid: undefined }) }), secret(k));
const noneRow = (alg: string) => (k: Kit): string => compact(k.header({ alg, kid: undefined }), k.claims());

const rows: Row[] = [
  // 1. Unsecured JWTs.
  { case: 1, name: 'alg none, empty signature (jose UnsecuredJWT)', token: (k) => new UnsecuredJWT(k.claims()).encode(), reason: 'token_malformed' },
  { case: 1, name: 'alg none + typ at+jwt, empty signature', token: noneRow('none'), reason: 'token_malformed' },
  { case: 1, name: 'alg None', token: noneRow('None'), reason: 'token_malformed' },
  { case: 1, name: 'alg NONE', token: noneRow('NONE'), reason: 'token_malformed' },
  { case: 1, name: 'alg nOnE with our kid', token: (k) => compact(k.header({ alg: 'nOnE' }), k.claims()), reason: 'token_malformed' },
  { case: 1, name: 'alg none with a genuine signature pasted on', token: (k) => compact(k.header({ alg: 'none' }), k.claims(), k.genuine.split('.')[2]!), reason: 'token_invalid' },
  { case: 1, name: 'alg "" with a genuine signature pasted on', token: (k) => compact(k.header({ alg: '' }), k.claims(), k.genuine.split('.')[2]!), reason: 'token_invalid' },
  // 2. Algorithm confusion: HMAC keyed with our public key in every form an attacker can download.
  { case: 2, name: 'HS256 keyed with our public key as PEM', token: hs('HS256', (k) => bytes(k.real.pem)), reason: 'token_invalid' },
  { case: 2, name: 'HS256 keyed with the PEM without its final newline', token: hs('HS256', (k) => bytes(k.real.pem.trimEnd())), reason: 'token_invalid' },
  { case: 2, name: 'HS256 keyed with newline-prefixed PEM', token: hs('HS256', (k) => bytes(`\n${k.real.pem}`)), reason: 'token_invalid' },
  { case: 2, name: 'HS256 keyed with space-prefixed PEM', token: hs('HS256', (k) => bytes(`  ${k.real.pem}`)), reason: 'token_invalid' },
  { case: 2, name: 'HS256 keyed with our published JWK (JSON)', token: hs('HS256', (k) => bytes(JSON.stringify(k.real.jwk))), reason: 'token_invalid' },
  { case: 2, name: 'HS256 keyed with the SPKI DER bytes', token: hs('HS256', (k) => Buffer.from(k.real.pem.replace(/-----[^-]+-----|\s/g, ''), 'base64')), reason: 'token_invalid' },
  { case: 2, name: 'HS256 keyed with the PEM, no kid', token: hs('HS256', (k) => bytes(k.real.pem), false), reason: 'token_invalid' },
  { case: 2, name: 'HS384 keyed with the PEM', token: hs('HS384', (k) => bytes(k.real.pem)), reason: 'token_invalid' },
  { case: 2, name: 'HS512 keyed with the JWK x coordinate', token: hs('HS512', (k) => bytes(k.real.jwk.x!)), reason: 'token_invalid' },
  // 3. Our kid, another algorithm (with a key of that algorithm): the alg is pinned per kid.
  { case: 3, name: 'ES384 under our kid', token: (k) => k.sign(k.claims(), k.header({ alg: 'ES384' }), k.attacker.es384.privateKey), reason: 'token_invalid' },
  { case: 3, name: 'ES512 under our kid', token: (k) => k.sign(k.claims(), k.header({ alg: 'ES512' }), k.attacker.es512.privateKey), reason: 'token_invalid' },
  { case: 3, name: 'RS256 under our kid', token: (k) => k.sign(k.claims(), k.header({ alg: 'RS256' }), k.attacker.rs256.privateKey), reason: 'token_invalid' },
  { case: 3, name: 'PS256 under our kid', token: (k) => k.sign(k.claims(), k.header({ alg: 'PS256' }), k.attacker.ps256.privateKey), reason: 'token_invalid' },
  { case: 3, name: 'EdDSA (an algorithm Gatehouse can sign with) under our ES256 kid', token: (k) => k.sign(k.claims(), k.header({ alg: 'EdDSA' }), k.attacker.ed25519.privateKey), reason: 'token_invalid' },
  { case: 3, name: 'Ed25519 under our ES256 kid', token: (k) => k.sign(k.claims(), k.header({ alg: 'Ed25519' }), k.attacker.ed25519.privateKey), reason: 'token_invalid' },
  { case: 3, name: 'ES256 under our kid, signed with another P-256 key', token: (k) => k.sign(k.claims(), k.header(), k.attacker.es256.privateKey), reason: 'token_invalid' },
  // 4. The token brings its own key.
  { case: 4, name: 'attacker key in `jwk`, no kid', token: (k) => k.sign(k.claims(), k.header({ kid: undefined, jwk: k.attacker.es256.jwk }), k.attacker.es256.privateKey), reason: 'token_invalid' },
  { case: 4, name: 'attacker key in `jwk`, kid = its thumbprint', token: async (k) => k.sign(k.claims(), k.header({ kid: await calculateJwkThumbprint(k.attacker.es256.jwk), jwk: k.attacker.es256.jwk }), k.attacker.es256.privateKey), reason: 'token_invalid' },
  { case: 4, name: 'attacker key in `jwk`, kid = ours', token: (k) => k.sign(k.claims(), k.header({ jwk: k.attacker.es256.jwk }), k.attacker.es256.privateKey), reason: 'token_invalid' },
  { case: 4, name: 'attacker EdDSA key in `jwk`', token: (k) => k.sign(k.claims(), k.header({ alg: 'EdDSA', kid: undefined, jwk: k.attacker.ed25519.jwk }), k.attacker.ed25519.privateKey), reason: 'token_invalid' },
  { case: 4, name: 'attacker "certificate" in `x5c`', token: (k) => k.sign(k.claims(), k.header({ x5c: [Buffer.from('not a certificate').toString('base64')] }), k.attacker.es256.privateKey), reason: 'token_invalid' },
  { case: 4, name: 'our own key in `jwk`, really signed by us: key-selecting headers are refused, not ignored', token: (k) => k.sign(k.claims(), k.header({ jwk: k.real.jwk })), reason: 'token_invalid' },
  // 5. The token points at a key URL (the attacker server counts hits; see the loop).
  { case: 5, name: '`jku` → attacker JWKS, attacker kid', token: (k) => k.sign(k.claims(), k.header({ kid: 'attacker', jku: `${k.evil.url}/jwks.json` }), k.attacker.es256.privateKey), reason: 'token_invalid' },
  { case: 5, name: '`jku` → attacker JWKS, our kid', token: (k) => k.sign(k.claims(), k.header({ jku: `${k.evil.url}/jwks.json` }), k.attacker.es256.privateKey), reason: 'token_invalid' },
  { case: 5, name: '`x5u` → attacker certificate', token: (k) => k.sign(k.claims(), k.header({ kid: 'attacker', x5u: `${k.evil.url}/cert.pem` }), k.attacker.es256.privateKey), reason: 'token_invalid' },
  { case: 5, name: '`jku` + `x5u` on a token really signed by us', token: (k) => k.sign(k.claims(), k.header({ jku: `${k.evil.url}/jwks.json`, x5u: `${k.evil.url}/cert.pem` })), reason: 'token_invalid' },
  // 6. kid as an injection vector.
  { case: 6, name: 'kid ../../dev/null, HS256 with the empty key /dev/null would yield', token: (k) => {
    const header = k.header({ alg: 'HS256', kid: '../../dev/null' });
    const claims = k.claims();
    return compact(header, claims, createHmac('sha256', Buffer.alloc(0)).update(`${segment(header)}.${segment(claims)}`).digest());
  }, reason: 'token_invalid' },
  { case: 6, name: 'kid ../../dev/null, ES256', token: (k) => k.sign(k.claims(), k.header({ kid: '../../dev/null' }), k.attacker.es256.privateKey), reason: 'token_invalid' },
  { case: 6, name: "kid ' OR '1'='1", token: (k) => k.sign(k.claims(), k.header({ kid: "' OR '1'='1" }), k.attacker.es256.privateKey), reason: 'token_invalid' },
  { case: 6, name: "kid x' UNION SELECT public_jwk FROM signing_keys --", token: (k) => k.sign(k.claims(), k.header({ kid: "x' UNION SELECT public_jwk FROM signing_keys --" }), k.attacker.es256.privateKey), reason: 'token_invalid' },
  { case: 6, name: 'kid of 10 KB', token: (k) => k.sign(k.claims(), k.header({ kid: 'k'.repeat(10_240) }), k.attacker.es256.privateKey), reason: 'token_malformed' },
  { case: 6, name: 'kid of 129 characters', token: (k) => k.sign(k.claims(), k.header({ kid: 'k'.repeat(129) }), k.attacker.es256.privateKey), reason: 'token_invalid' },
  { case: 6, name: 'unknown kid', token: (k) => k.sign(k.claims(), k.header({ kid: `unknown-${randomUUID()}` }), k.attacker.es256.privateKey), reason: 'token_invalid' },
  { case: 6, name: 'our kid + NUL', token: (k) => k.sign(k.claims(), k.header({ kid: `${k.real.kid}\u0000` }), k.attacker.es256.privateKey), reason: 'token_invalid' },
  { case: 6, name: 'empty kid', token: (k) => k.sign(k.claims(), k.header({ kid: '' })), reason: 'token_invalid' },
  { case: 6, name: 'numeric kid', token: (k) => k.sign(k.claims(), k.header({ kid: 1 })), reason: 'token_invalid' },
  { case: 6, name: 'no kid, really signed by us', token: (k) => k.sign(k.claims(), k.header({ kid: undefined })), reason: 'token_invalid' },
  // 7. crit (RFC 7515 §4.1.11): an extension the verifier does not understand must fail the token.
  { case: 7, name: 'crit names an unknown extension', token: (k) => k.sign(k.claims(), k.header({ crit: ['x-gatehouse-bypass'], 'x-gatehouse-bypass': true }), undefined, { 'x-gatehouse-bypass': true }), reason: 'token_invalid' },
  { case: 7, name: 'crit names a registered claim (exp)', token: (k) => k.sign(k.claims(), k.header({ crit: ['exp'], exp: nowS() + 300 }), undefined, { exp: true }), reason: 'token_invalid' },
  { case: 7, name: 'crit names a parameter that is absent', token: (k) => signRawEs256(k.header({ crit: ['x-missing'] }), k.claims(), k.real.privateKey), reason: 'token_invalid' },
  { case: 7, name: 'crit: []', token: (k) => signRawEs256(k.header({ crit: [] }), k.claims(), k.real.privateKey), reason: 'token_invalid' },
  { case: 7, name: 'crit as a string', token: (k) => signRawEs256(k.header({ crit: 'x-gatehouse-bypass', 'x-gatehouse-bypass': 1 }), k.claims(), k.real.privateKey), reason: 'token_invalid' },
  // 8. ECDSA signatures that some verifiers accepted for any message.
  { case: 8, name: 'r = s = 0 (64 zero bytes)', token: async (k) => withSignature(await k.sign(k.claims(), k.header()), new Uint8Array(64)), reason: 'token_invalid' },
  { case: 8, name: 'r = s = n (the group order)', token: async (k) => withSignature(await k.sign(k.claims(), k.header()), Buffer.concat([P256_N, P256_N])), reason: 'token_invalid' },
  { case: 8, name: 'r = 0 with a genuine s', token: async (k) => {
    const sig = Buffer.from((await k.sign(k.claims(), k.header())).split('.')[2]!, 'base64url');
    return withSignature(await k.sign(k.claims(), k.header()), Buffer.concat([Buffer.alloc(32), sig.subarray(32)]));
  }, reason: 'token_invalid' },
  { case: 8, name: 'DER-encoded r = s = 0', token: async (k) => withSignature(await k.sign(k.claims(), k.header()), Buffer.from('3006020100020100', 'hex')), reason: 'token_invalid' },
  { case: 8, name: 'one zero byte', token: async (k) => withSignature(await k.sign(k.claims(), k.header()), 'AA'), reason: 'token_invalid' },
  // 9. A valid signature does not make a foreign issuer ours.
  { case: 9, name: 'iss of another server', token: (k) => k.sign(k.claims({ iss: 'https://evil.example' }), k.header()), reason: 'token_invalid' },
  { case: 9, name: 'iss with a trailing slash', token: (k) => k.sign(k.claims({ iss: `${k.claims().iss as string}/` }), k.header()), reason: 'token_invalid' },
  { case: 9, name: 'iss naming localhost instead of 127.0.0.1', token: (k) => k.sign(k.claims({ iss: (k.claims().iss as string).replace('127.0.0.1', 'localhost') }), k.header()), reason: 'token_invalid' },
  { case: 9, name: 'iss as an array holding ours', token: (k) => k.sign(k.claims({ iss: [k.claims().iss] }), k.header()), reason: 'token_invalid' },
  { case: 9, name: 'no iss', token: (k) => k.sign(k.claims({ iss: undefined }), k.header()), reason: 'token_invalid' },
  // 10. Audience: exactly this route's resource.
  { case: 10, name: 'aud of another configured resource', token: (k) => k.sign(k.claims({ aud: OTHER }), k.header()), reason: 'token_wrong_audience' },
  { case: 10, name: 'aud of a foreign API', token: (k) => k.sign(k.claims({ aud: 'https://evil.example/' }), k.header()), reason: 'token_wrong_audience' },
  { case: 10, name: 'aud without the trailing slash of ours', token: (k) => k.sign(k.claims({ aud: API.slice(0, -1) }), k.header()), reason: 'token_wrong_audience' },
  { case: 10, name: 'aud: []', token: (k) => k.sign(k.claims({ aud: [] }), k.header()), reason: 'token_invalid' },
  { case: 10, name: 'aud: ""', token: (k) => k.sign(k.claims({ aud: '' }), k.header()), reason: 'token_invalid' },
  { case: 10, name: 'aud: an array without us', token: (k) => k.sign(k.claims({ aud: [OTHER, 'https://evil.example/'] }), k.header()), reason: 'token_invalid' },
  { case: 10, name: 'no aud', token: (k) => k.sign(k.claims({ aud: undefined }), k.header()), reason: 'token_invalid' },
  // 11. Time claims (30 s skew). The accepted side is tested separately below.
  { case: 11, name: 'exp 35 s ago (beyond the 30 s skew)', token: (k) => k.sign(k.claims({ iat: nowS() - 335, nbf: nowS() - 335, exp: nowS() - 35 }), k.header()), reason: 'token_expired' },
  { case: 11, name: 'exp an hour ago', token: (k) => k.sign(k.claims({ iat: nowS() - 3900, nbf: nowS() - 3900, exp: nowS() - 3600 }), k.header()), reason: 'token_expired' },
  { case: 11, name: 'no exp', token: (k) => k.sign(k.claims({ exp: undefined }), k.header()), reason: 'token_invalid' },
  { case: 11, name: 'exp as a string', token: (k) => k.sign(k.claims({ exp: String(nowS() + 300) }), k.header()), reason: 'token_invalid' },
  { case: 11, name: 'nbf 60 s ahead', token: (k) => k.sign(k.claims({ nbf: nowS() + 60 }), k.header()), reason: 'token_invalid' },
  { case: 11, name: 'nbf an hour ahead', token: (k) => k.sign(k.claims({ nbf: nowS() + 3600, exp: nowS() + 3900 }), k.header()), reason: 'token_invalid' },
  { case: 11, name: 'no iat', token: (k) => k.sign(k.claims({ iat: undefined }), k.header()), reason: 'token_invalid' },
  // 12. Other JWTs Gatehouse or its clients handle, used as an access token.
  { case: 12, name: 'typ JWT (really signed by us)', token: (k) => k.sign(k.claims(), k.header({ typ: 'JWT' })), reason: 'token_invalid' },
  { case: 12, name: 'no typ (really signed by us)', token: (k) => k.sign(k.claims(), k.header({ typ: undefined })), reason: 'token_invalid' },
  { case: 12, name: 'typ dpop+jwt (really signed by us)', token: (k) => k.sign(k.claims(), k.header({ typ: 'dpop+jwt' })), reason: 'token_invalid' },
  { case: 12, name: 'typ gatehouse-identity+jwt (really signed by us)', token: (k) => k.sign(k.claims(), k.header({ typ: 'gatehouse-identity+jwt' })), reason: 'token_invalid' },
  { case: 12, name: 'the identity assertion an upstream received (x-gatehouse-identity)', token: (k) => k.identity, reason: 'token_invalid' },
  { case: 12, name: 'a DPoP proof', token: (k) => k.sign({ htm: 'GET', htu: 'http://127.0.0.1/api/x', iat: nowS(), jti: randomUUID() }, { alg: 'ES256', typ: 'dpop+jwt', jwk: k.attacker.es256.jwk }, k.attacker.es256.privateKey), reason: 'token_invalid' },
  { case: 12, name: 'a private_key_jwt client assertion', token: (k) => k.sign({ iss: AGENT, sub: AGENT, aud: `${k.claims().iss as string}/oauth/token`, jti: randomUUID(), exp: nowS() + 60 }, { alg: 'ES256', kid: 'agent-key' }, k.attacker.es256.privateKey), reason: 'token_invalid' },
  // 13. Size and shape bombs.
  { case: 13, name: '1 MB Authorization header', token: () => '', request: (_t, path) => rawGet(path, [`Authorization: Bearer eyJ${'A'.repeat(1 << 20)}`]), status: 431, reason: 'headers_too_large' },
  { case: 13, name: 'a 9 KB token', token: (k) => `${segment(k.header())}.${'A'.repeat(9_000)}.${'A'.repeat(86)}`, reason: 'token_malformed' },
  { case: 13, name: 'header nested 2000 arrays deep', token: (k) => signRawEs256(bytes(`{"alg":"ES256","kid":"${k.real.kid}","typ":"at+jwt","x":${nested(2000)}}`), k.claims(), k.attacker.es256.privateKey), reason: 'token_invalid' },
  { case: 13, name: 'payload nested 2000 arrays deep', token: (k) => signRawEs256(k.header(), bytes(`{"iss":"${k.claims().iss as string}","x":${nested(2000)}}`), k.attacker.es256.privateKey), reason: 'token_invalid' },
  { case: 13, name: 'act nested 20 deep (really signed by us)', token: (k) => {
    let act: Record<string, unknown> = { sub: SUB };
    for (let i = 0; i < 20; i++) act = { sub: SUB, act };
    return k.sign(k.claims({ act }), k.header());
  }, reason: 'token_invalid' },
  { case: 13, name: 'a JWE (5 segments) encrypted to our public key', token: async (k) => {
    const { kty, crv, x, y } = k.real.jwk;
    const key = await importJWK({ kty, crv, x, y } as JWK, 'ECDH-ES');
    return new CompactEncrypt(bytes(JSON.stringify(k.claims()))).setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM', kid: k.real.kid, typ: 'at+jwt', cty: 'JWT' }).encrypt(key);
  }, reason: 'token_malformed' },
  { case: 13, name: 'a JWE (dir) wrapping a genuine token', token: (k) => new CompactEncrypt(bytes(k.genuine)).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', cty: 'JWT' }).encrypt(crypto.getRandomValues(new Uint8Array(32))), reason: 'token_malformed' },
];

async function startEvil(jwk: JWK): Promise<Evil> {
  const evil: Evil = { url: '', hits: 0, server: createServer((req, res) => {
    evil.hits += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [{ ...jwk, kid: 'attacker', alg: 'ES256', use: 'sig' }] }));
  }) };
  await new Promise<void>((resolve) => evil.server.listen(0, '127.0.0.1', resolve));
  evil.url = `http://127.0.0.1:${(evil.server.address() as AddressInfo).port}`;
  return evil;
}

async function client(h: Harness, name: string, scopes = ['read']): Promise<{ secret: string; secretId: string; token: () => Promise<string> }> {
  await h.core.agents.create({ name, scopes, authMethods: ['client_secret_basic'] }, 'test');
  const { secret, record } = await h.core.oauth.secrets.issue(name, {}, 'test');
  return {
    secret, secretId: record.id,
    token: async () => {
      const res = await tokenRequest(h, { grant_type: 'client_credentials', scope: scopes.join(' ') }, { authorization: basicAuth(name, secret) });
      assert.equal(res.status, 200, await res.clone().text());
      return ((await res.json()) as { access_token: string }).access_token;
    },
  };
}

describe('JWT access tokens at the gateway (cases 1–13)', () => {
  let h: Harness;
  let kit: Kit;
  before(async () => {
    h = await startHarness(config);
    const genuine = await (await client(h, AGENT)).token();
    const seen = await h.request('/api/x', { headers: { authorization: `Bearer ${genuine}` } });
    assert.equal(seen.status, 200);
    const signing = h.core.oauth.keys.signingKey();
    const jwk = h.core.oauth.keys.jwks().keys.find((k) => k.kid === signing.kid)!;
    const [es256, es384, es512, rs256, ps256, ed25519] = await Promise.all([pair('ES256'), pair('ES384'), pair('ES512'), pair('RS256'), pair('PS256'), pair('EdDSA', { crv: 'Ed25519' })]);
    kit = {
      real: { kid: signing.kid, privateKey: signing.privateKey, jwk, pem: await exportSPKI((await importJWK(jwk, 'ES256')) as CryptoKey) },
      attacker: { es256: es256!, es384: es384!, es512: es512!, rs256: rs256!, ps256: ps256!, ed25519: ed25519! },
      evil: await startEvil(es256!.jwk),
      genuine,
      identity: h.upstream.seen.at(-1)!.headers['x-gatehouse-identity'] as string,
      claims: (over = {}) => {
        const now = nowS();
        return drop({ iss: h.gw.dataUrl, sub: SUB, aud: API, scope: 'read', client_id: AGENT, jti: `tok_${randomUUID()}`, iat: now, nbf: now, exp: now + 300, ...over });
      },
      header: (over = {}) => drop({ alg: 'ES256', kid: signing.kid, typ: 'at+jwt', ...over }),
      sign: (payload, header, key = signing.privateKey, crit) => new CompactSign(bytes(JSON.stringify(payload))).setProtectedHeader(header as never).sign(key, crit ? { crit } : {}),
    };
  });
  after(async () => {
    kit?.evil.server.close();
    await h.close();
  });

  it('control: a token forged with the real key and no defect is accepted on both routes', async () => {
    // Every row below differs from this token in exactly the attacked property.
    const token = await kit.sign(kit.claims(), kit.header());
    for (const path of ['/api/x', '/mixed/x']) assert.equal((await rawExchange(h.gw.dataUrl, rawGet(path, [bearer(token)]))).statuses[0], 200, path);
    assert.equal(decodeJwt(kit.identity).agent, AGENT);
    assert.equal(decodeProtectedHeader(kit.identity).typ, 'gatehouse-identity+jwt');
  });

  for (const row of rows) {
    const status = row.status ?? 401;
    it(`${row.case} ${row.name} → ${status}`, async () => {
      const token = await row.token(kit);
      // The same verdict on a JWT-only route and on one that also takes API keys (no fallback to another path).
      for (const path of ['/api/x', '/mixed/x']) {
        const before = await snapshot(h);
        const r = await rawExchange(h.gw.dataUrl, row.request ? row.request(token, path) : rawGet(path, [bearer(token)]));
        const rec = await assertRejected(h, before, fromRaw(r), { status, reason: row.reason });
        assert.equal(rec.agentName, null, 'a refused token attributes the request to no agent');
        if (status === 401) assert.match(r.headers['www-authenticate'] ?? '', /^Bearer realm="gatehouse", error="invalid_token"/);
        // Only a token whose signature and claims verified may name its jti in the audit trail.
        if (row.reason !== 'token_wrong_audience') assert.equal(rec.credentialId, null);
      }
      assert.equal(kit.evil.hits, 0, 'no URL named by a token was fetched');
    });
  }

  it('11 exp 10 s ago and nbf 10 s ahead (inside the 30 s skew) → accepted', async () => {
    const expired = await kit.sign(kit.claims({ iat: nowS() - 310, nbf: nowS() - 310, exp: nowS() - 10 }), kit.header());
    const early = await kit.sign(kit.claims({ nbf: nowS() + 10 }), kit.header());
    for (const token of [expired, early]) {
      const seen = h.upstream.seen.length;
      const res = await h.request('/api/x', { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      assert.equal(h.upstream.seen.length, seen + 1);
      assert.equal(h.upstream.seen.at(-1)!.headers['x-gatehouse-credential-id'], decodeJwt(token).jti);
    }
  });

  it('6 kid content is never used for a lookup, and a flood of unknown kids costs at most one key reload', async () => {
    h.core.oauth.keys.stop(); // the periodic reload would blur the count; nothing here needs it
    const kids = ['../../dev/null', "' OR '1'='1", '/etc/passwd', '%2e%2e%2f', ...Array.from({ length: 16 }, () => `unknown-${randomUUID()}`)];
    const store = h.core.store as unknown as Record<string, (...a: unknown[]) => unknown>;
    const calls: { name: string; args: string }[] = [];
    const names = Object.getOwnPropertyNames(Object.getPrototypeOf(store)).filter((n) => n !== 'constructor' && typeof store[n] === 'function');
    for (const name of names) {
      const original = store[name]!;
      store[name] = (...args: unknown[]) => {
        calls.push({ name, args: JSON.stringify(args) ?? '' });
        return original.apply(store, args);
      };
    }
    try {
      for (const kid of kids) {
        const token = await kit.sign(kit.claims(), kit.header({ kid }), kit.attacker.es256.privateKey);
        assert.equal((await h.request('/api/x', { headers: { authorization: `Bearer ${token}` } })).status, 401, kid);
      }
      // Control: the spy sees the lookups a verified token does cause (its jti, against revocations).
      const valid = kit.claims();
      assert.equal((await h.request('/api/x', { headers: { authorization: `Bearer ${await kit.sign(valid, kit.header())}` } })).status, 200);
      assert.ok(calls.some((c) => c.name === 'getRevokedToken' && c.args.includes(valid.jti as string)), 'the spy records store lookups');
      await h.gw.audit.flush();
    } finally {
      for (const name of names) delete store[name];
    }
    assert.ok(calls.filter((c) => c.name === 'listSigningKeys').length <= 1, `key reloads: ${calls.filter((c) => c.name === 'listSigningKeys').length}`);
    for (const c of calls) for (const kid of kids) assert.equal(c.args.includes(JSON.stringify(kid).slice(1, -1)), false, `store.${c.name} was called with kid ${kid}`);
  });
});

describe('signing-key rotation (case 14)', () => {
  let h: Harness;
  let issue: () => Promise<string>;
  const call = (token: string): Promise<Response> => h.request('/api/x', { headers: { authorization: `Bearer ${token}` } });
  /** A token of `key` living two hours: only a holder of that private key can make one; it must die with the key. */
  const longLived = (key: { kid: string; privateKey: CryptoKey }): Promise<string> => {
    const now = nowS();
    const claims = { iss: h.gw.dataUrl, sub: 'spiffe://gatehouse.local/agent/rotor', aud: API, scope: 'read', client_id: 'rotor', jti: `tok_${randomUUID()}`, iat: now, nbf: now, exp: now + 7200 };
    return new CompactSign(bytes(JSON.stringify(claims))).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' }).sign(key.privateKey);
  };
  const fetchJwks = async (): Promise<JSONWebKeySet> => (await (await h.request('/oauth/jwks')).json()) as JSONWebKeySet;
  before(async () => {
    h = await startHarness(config);
    issue = (await client(h, 'rotor')).token;
  });
  after(() => h.close());

  let old: { kid: string; privateKey: CryptoKey };
  let oldToken: string;
  let seenInGrace: string;
  let unseen: string;

  it('the next key is published before it signs: a verifier holding the JWKS from before the rotation accepts the new tokens', async () => {
    old = h.core.oauth.keys.signingKey();
    oldToken = await issue();
    seenInGrace = await longLived(old);
    unseen = await longLived(old);
    const next = h.core.oauth.keys.describe().find((k) => k.state === 'next')!;
    const cached = await fetchJwks();
    assert.ok(cached.keys.some((k) => k.kid === next.kid), 'next key in the JWKS before first use');
    assert.equal(await h.core.oauth.keys.rotate(), true);
    assert.equal(h.core.oauth.keys.signingKey().kid, next.kid);
    const fresh = await issue();
    assert.equal(decodeProtectedHeader(fresh).kid, next.kid);
    await jwtVerify(fresh, createLocalJWKSet(cached), { issuer: h.gw.dataUrl, audience: API, typ: 'at+jwt' });
    assert.equal((await call(fresh)).status, 200);
  });

  it('the previous key is accepted during its grace period and stays published', async () => {
    assert.equal((await call(oldToken)).status, 200);
    assert.equal((await call(seenInGrace)).status, 200);
    const retired = h.core.oauth.keys.describe().find((k) => k.kid === old.kid)!;
    assert.equal(retired.state, 'retired');
    assert.ok(retired.expiresAt! > Date.now());
    assert.ok((await fetchJwks()).keys.some((k) => k.kid === old.kid));
  });

  it('after the grace period its tokens → 401, even one the gateway verified before', async () => {
    // The harness clock cannot move, so the store's own clean-up runs as of the moment the grace
    // ends (src/oauth/signing-keys.test.ts drives the same with a fake clock).
    const retired = h.core.oauth.keys.describe().find((k) => k.kid === old.kid)!;
    assert.ok(await h.core.store.pruneSigningKeys(retired.expiresAt!) >= 1);
    await h.core.oauth.keys.reload();
    assert.equal((await fetchJwks()).keys.some((k) => k.kid === old.kid), false, 'no longer published');
    assert.equal((await call(await issue())).status, 200, 'tokens of the current key are unaffected');
    for (const [name, token] of [['never presented', unseen], ['verified during the grace period', seenInGrace]] as const) {
      const before = await snapshot(h);
      const res = await call(token);
      await assertRejected(h, before, fromResponse(res), { status: 401, reason: 'token_invalid' }).catch((err: Error) => assert.fail(`${name}: ${err.message}`));
    }
  });
});

describe('revocation applies to the next request on every instance (case 15)', () => {
  const ISSUER = 'http://gatehouse.case15.test';
  let h: Harness;
  let coreB: LocalCore;
  let gwB: RunningGateway;
  let b: Observed & { request(path: string, init?: RequestInit): Promise<Response> };
  let n = 0;

  before(async () => {
    // Two gateways over one store and one master key, as two replicas; tokens name a fixed issuer.
    h = await startHarness((u) => ({ ...config(u), oauth: { ...(config(u).oauth as object), issuer: ISSUER } }));
    coreB = await openLocal(loadConfig({ file: h.configFile }), { env: {} });
    gwB = await startGateway(coreB, { logger: silentLogger() });
    b = {
      upstream: h.upstream,
      requestAudit: async () => {
        await gwB.audit.flush();
        return h.requestAudit();
      },
      request: (path, init) => fetch(`${gwB.dataUrl}${path}`, init),
    };
    await h.core.agents.create({ name: 'delegate', scopes: ['read'], authMethods: ['client_secret_basic'] }, 'test');
  });
  after(async () => {
    await gwB?.close();
    await coreB?.close();
    await h.close();
  });

  interface Issued { name: string; secret: string; secretId: string; token: string }
  const fresh = async (): Promise<Issued> => {
    const name = `agent-${++n}`;
    const c = await client(h, name);
    return { name, secret: c.secret, secretId: c.secretId, token: await c.token() };
  };
  /** `delegate` acts for `subject` (RFC 8693): the token names both. */
  const delegated = async (subject: Issued): Promise<string> => {
    const { secret } = await h.core.oauth.secrets.issue('delegate', {}, 'test');
    const res = await tokenRequest(h, { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: subject.token, subject_token_type: 'urn:ietf:params:oauth:token-type:access_token' }, { authorization: basicAuth('delegate', secret) });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { access_token: string }).access_token;
  };

  interface RevocationRow { name: string; token?: (i: Issued) => Promise<string>; revoke: (i: Issued, token: string) => Promise<unknown>; reason: string }
  const revocations: RevocationRow[] = [
    { name: 'token revoked by its client (RFC 7009 /oauth/revoke on instance A)', reason: 'token_revoked', revoke: async (i, token) => {
      const res = await h.request('/oauth/revoke', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(i.name, i.secret) }, body: new URLSearchParams({ token }).toString() });
      assert.equal(res.status, 200);
    } },
    { name: 'token revoked by jti by an operator', reason: 'token_revoked', revoke: (_i, token) => new LocalOAuthOps(h.core, 'test').revokeToken(decodeJwt(token).jti!) },
    { name: 'client agent suspended', reason: 'agent_suspended', revoke: (i) => h.core.agents.setStatus(i.name, 'suspended', 'test') },
    { name: 'client agent revoked', reason: 'agent_revoked', revoke: (i) => h.core.agents.setStatus(i.name, 'revoked', 'test') },
    { name: 'delegated token whose subject agent is suspended', token: delegated, reason: 'agent_suspended', revoke: (i) => h.core.agents.setStatus(i.name, 'suspended', 'test') },
  ];

  for (const row of revocations) {
    it(`${row.name} → 401 on instance B and on instance A`, async () => {
      const issued = await fresh();
      const token = row.token ? await row.token(issued) : issued.token;
      const call = (g: { request(p: string, i?: RequestInit): Promise<Response> }): Promise<Response> => g.request('/api/x', { headers: { authorization: `Bearer ${token}` } });
      // Both instances have verified (and cached) the token before the revocation.
      assert.equal((await call(h)).status, 200);
      assert.equal((await call(b)).status, 200);
      await row.revoke(issued, token);
      for (const [g, name] of [[b, 'B'], [h, 'A']] as const) {
        const before = await snapshot(g);
        const res = await call(g);
        await assertRejected(g, before, fromResponse(res), { status: 401, reason: row.reason }).catch((err: Error) => assert.fail(`instance ${name}: ${err.message}`));
      }
    });
  }

  it('client secret revoked → the next token request with it is invalid_client on instance B and on instance A', async () => {
    const issued = await fresh();
    const grant = (g: { request(p: string, i?: RequestInit): Promise<Response> }): Promise<Response> => tokenRequest(g, { grant_type: 'client_credentials' }, { authorization: basicAuth(issued.name, issued.secret) });
    assert.equal((await grant(b)).status, 200);
    await h.core.oauth.secrets.revoke(issued.secretId, 'test');
    for (const g of [b, h]) {
      const before = await snapshot(g);
      await assertOAuthRejected(g, before, await grant(g), { status: 401, error: 'invalid_client', reason: 'client_auth_failed' });
    }
  });
});
