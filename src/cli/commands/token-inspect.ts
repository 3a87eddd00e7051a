import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { GatehouseError } from '../../core/errors.ts';
import { ASYMMETRIC_ALGS } from '../../core/types.ts';
import { actorsOf, parseAct } from '../../oauth/delegation.ts';
import { parseCommand, UsageError, type CliContext, type Out, type WithOps } from '../command.ts';
import { clean, fields, list, printJson, time } from '../format.ts';
import { readStream } from '../read-input.ts';

const USAGE = `Usage: gatehouse token inspect TOKEN|- [--jwks URL] [--json]

Decodes a token (from the argument, or stdin with -), verifies its signature and lifetime, and
shows who it is for and its delegation chain. By default it is verified against this Gatehouse's
signing keys (the local store, or the admin API with --admin-url) and its revocation is checked;
--jwks URL verifies against another JWKS instead (revocation is then not checked).
Exit code 0 = valid, 1 = invalid.`;

/** What inspect found; `chain` is the subject, then each actor in delegation order (the last acts now). */
export interface Inspection {
  valid: boolean;
  problem: string | null;
  verifiedWith: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  chain: string[];
  expiresInSeconds: number | null;
  /** null when not checked (--jwks). */
  revoked: boolean | null;
  revokedAt: number | null;
}

export interface InspectDeps {
  stdin?: AsyncIterable<Buffer | string>;
}

const JTI = /^[\x21-\x7e]{1,256}$/;
const TYPES: Record<string, string> = { 'at+jwt': 'at+jwt (access token)', 'gatehouse-identity+jwt': 'gatehouse-identity+jwt (identity assertion for an upstream)' };

/** `token inspect TOKEN|- [--jwks URL]` */
export async function tokenInspect(withOps: WithOps, args: string[], out: Out, _ctx?: CliContext, deps: InspectDeps = {}): Promise<number> {
  const a = parseCommand({ usage: USAGE, options: { jwks: { type: 'string' } }, positionals: [1, 1] }, args, out);
  if (!a) return 0;
  const arg = a.positionals[0]!;
  const token = (arg === '-' ? await readStream(deps.stdin ?? process.stdin) : arg).trim();
  const jwksUrl = a.values.jwks;
  if (jwksUrl !== undefined && (!URL.canParse(jwksUrl) || !/^https?:\/\//i.test(jwksUrl))) throw new UsageError(`--jwks "${jwksUrl}" must be an http:// or https:// URL`);
  let header: Record<string, unknown>;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>;
    claims = decodeJwt(token);
  } catch (err) {
    return report(out, a.json, { valid: false, problem: `not a signed JWT (${(err as Error).message})`, verifiedWith: '-', header: {}, claims: {}, chain: [], expiresInSeconds: null, revoked: null, revokedAt: null });
  }
  let keys: JWTVerifyGetKey;
  let revokedAt: number | null | undefined;
  if (jwksUrl !== undefined) {
    keys = createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 10_000 });
  } else {
    const jti = typeof claims.jti === 'string' && JTI.test(claims.jti) ? claims.jti : undefined;
    const fetched = await withOps(async (ops) => ({ jwks: await ops.signingJwks(), revocation: jti === undefined ? null : await ops.tokenRevocation(jti) }));
    keys = createLocalJWKSet(fetched.jwks as Parameters<typeof createLocalJWKSet>[0]);
    revokedAt = fetched.revocation?.revokedAt ?? null;
  }
  const problem = await verify(token, keys, jwksUrl);
  const now = Date.now();
  const inspection: Inspection = {
    valid: problem === null && !revokedAt, problem: problem ?? (revokedAt ? `revoked at ${time(revokedAt)}` : null),
    verifiedWith: jwksUrl === undefined ? "this Gatehouse's signing keys" : `the JWKS at ${jwksUrl}`,
    header, claims, chain: delegationChain(claims),
    expiresInSeconds: typeof claims.exp === 'number' ? Math.floor(claims.exp - now / 1000) : null,
    revoked: revokedAt === undefined ? null : revokedAt !== null, revokedAt: revokedAt ?? null,
  };
  return report(out, a.json, inspection);
}

/** null when the signature and the time claims check out; otherwise why not. */
async function verify(token: string, keys: JWTVerifyGetKey, jwksUrl: string | undefined): Promise<string | null> {
  try {
    await jwtVerify(token, keys, { algorithms: [...ASYMMETRIC_ALGS] });
    return null;
  } catch (err) {
    if (err instanceof errors.JWTExpired) return 'token has expired';
    if (err instanceof errors.JWKSNoMatchingKey) return 'no published key matches its kid and alg';
    if (err instanceof errors.JWSSignatureVerificationFailed) return 'signature does not verify';
    if (err instanceof errors.JOSEAlgNotAllowed) return 'its algorithm is not accepted (never none or HS*)';
    if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || !(err instanceof errors.JOSEError)) {
      // Not a verdict on the token: the keys could not be had.
      throw new GatehouseError('jwks_unavailable', 503, `cannot get the keys from ${jwksUrl ?? 'the store'} (${(err as Error).message})`, { expose: true, cause: err });
    }
    return (err as Error).message;
  }
}

/** [subject, first actor, …, current actor]: RFC 8693 nests prior actors inside the current one. */
function delegationChain(claims: JWTPayload): string[] {
  const subject = typeof claims.sub === 'string' ? claims.sub : '?';
  try {
    return [subject, ...actorsOf(parseAct(claims.act)).reverse()];
  } catch {
    return [subject, '(malformed act claim)'];
  }
}

function report(out: Out, json: boolean, x: Inspection): number {
  if (json) {
    printJson(out, x);
    return x.valid ? 0 : 1;
  }
  const c = x.claims;
  const str = (v: unknown): string => (v === undefined ? '-' : typeof v === 'string' ? v : JSON.stringify(v));
  const at = (v: unknown): string => (typeof v === 'number' ? time(v * 1000) : '-');
  const left = x.expiresInSeconds === null ? '' : x.expiresInSeconds > 0 ? ` (in ${duration(x.expiresInSeconds)})` : ` (${duration(-x.expiresInSeconds)} ago)`;
  out.stdout.write(x.valid ? `VALID (verified with ${x.verifiedWith})\n` : `INVALID: ${clean(x.problem ?? 'unknown')}\n`);
  if (Object.keys(c).length === 0) return 1;
  const rows: [string, string][] = [
    ['type', TYPES[str(x.header.typ)] ?? str(x.header.typ)], ['algorithm', `${str(x.header.alg)}, kid ${str(x.header.kid)}`],
    ['issuer', str(c.iss)], ['subject', str(c.sub)], ...(c.sub_iss === undefined ? [] : [['subject issuer', str(c.sub_iss)] as [string, string]]),
    ['audience', Array.isArray(c.aud) ? list(c.aud.map(String)) : str(c.aud)], ['scope', str(c.scope) || '-'], ['client_id', str(c.client_id)],
    ['jti', str(c.jti)], ['issued', at(c.iat)], ['expires', `${at(c.exp)}${left}`],
    ['revoked', x.revoked === null ? 'not checked' : x.revoked ? `yes, at ${time(x.revokedAt)}` : 'no'],
    ['chain', x.chain.length > 1 ? x.chain.join(' ← ') : `${x.chain[0] ?? '-'} (no delegation)`],
  ];
  out.stdout.write(fields(rows));
  if (x.chain.length > 1) out.stdout.write(`  (each acts on behalf of the one to its left; ${clean(x.chain.at(-1)!)} is the current actor)\n`);
  return x.valid ? 0 : 1;
}

function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s}s` : `${s}s`;
}
