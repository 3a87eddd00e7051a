import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { AuditRecord } from '../../src/core/types.ts';
import type { Harness } from '../helpers/gateway-harness.ts';

/**
 * Shared pieces of the attack tables (SECURITY-CASES.md): a harness config with one route per
 * concern, a raw-socket client for request-targets and framings fetch would "fix" for us, and the
 * one assertion every rejected request must pass.
 *
 * Where each case lives: 1–15 jwt.test.ts (14 also test/oauth/rotation-restart.test.ts and
 * src/oauth/signing-keys.test.ts) · 16–20 oauth-server.test.ts · 22, 41 (at rest) credentials.test.ts ·
 * 25–30 paths.test.ts · 31–32 identity-headers.test.ts · 33–35 parsing-limits.test.ts · 36–39 authorization.test.ts ·
 * 40, 41 (tampering) audit-faults.test.ts · per-address limits, lockout, upgrades limits.test.ts.
 */

/** Routes and rules the attack files share. Auth-failure lockout is raised so 401 rows don't lock out 127.0.0.1. */
export function attackConfig(upstreamUrl: string, server: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    server: { listen: { port: 0 }, ...server },
    routes: [
      { id: 'api', path: '/api/*', upstream: upstreamUrl },
      { id: 'open', path: '/public/*', upstream: upstreamUrl, auth: 'public' },
      { id: 'files', path: '/files/*', upstream: upstreamUrl },
      { id: 'small', path: '/small/*', upstream: upstreamUrl, maxBodyBytes: 1024 },
      { id: 'internal', path: '/internal/*', upstream: upstreamUrl }, // no rule mentions it (case 38)
      { id: 'limited', path: '/limited/*', upstream: upstreamUrl, rateLimit: { rate: 0.001, burst: 2 } },
    ],
    policies: {
      rules: [
        { id: 'readers-read', agents: { labels: ['reader'] }, methods: ['GET', 'HEAD'], paths: ['/api/*'] },
        { id: 'writers-write', agents: { labels: ['writer'] }, methods: ['GET', 'POST', 'DELETE'], paths: ['/api/*', '/small/*', '/limited/*'] },
        { id: 'own-files', agents: { labels: ['owner'] }, methods: ['GET'], paths: ['/files/{agent}/*'] },
        { id: 'no-secret', effect: 'forbid', methods: ['*'], paths: ['/api/secret/*'] },
      ],
    },
    rateLimit: { perAgent: { rate: 1000, burst: 1000 }, perAddress: { rate: 1000, burst: 1000 }, authFailures: { maxFailures: 10_000 } },
  };
}

export interface RawResult {
  text: string;
  /** Status of every response on the connection, in order. */
  statuses: number[];
  /** Headers of the first response (lowercased names). */
  headers: Record<string, string>;
  /** True when the gateway closed the connection before `waitMs` ran out. */
  closedByServer: boolean;
}

/**
 * Writes raw bytes on a fresh TCP connection (no half-close, so a server that keeps the
 * connection open is visible) and collects everything until the server closes or `waitMs` passes.
 */
export function rawExchange(dataUrl: string, parts: string | Buffer | readonly (string | Buffer)[], waitMs = 2_000): Promise<RawResult> {
  const url = new URL(dataUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closedByServer: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseRaw(Buffer.concat(chunks).toString('latin1'), closedByServer));
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? finish(true) : reject(e)));
    for (const p of [parts].flat()) socket.write(p);
  });
}

function parseRaw(text: string, closedByServer: boolean): RawResult {
  const statuses = [...text.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)].map((m) => Number(m[1]));
  const headers: Record<string, string> = {};
  const head = text.split('\r\n\r\n')[0] ?? '';
  for (const line of head.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { text, statuses, headers, closedByServer };
}

/** A request with the given raw request-target and header lines (`Host: 127.0.0.1` unless one is given), `Connection: close`. */
export function rawGet(target: string, headerLines: readonly string[] = [], method = 'GET'): string {
  const host = headerLines.some((l) => /^host:/i.test(l)) ? [] : ['Host: 127.0.0.1'];
  return [`${method} ${target} HTTP/1.1`, ...host, ...headerLines, 'Connection: close', '', ''].join('\r\n');
}

export const bearer = (key: string): string => `Authorization: Bearer ${key}`;

/** Counters taken before an attack, compared after it. */
export interface Snapshot {
  seen: number;
  audit: number;
}

/** What the assertions need of a gateway: a second instance over the same store can stand in for the harness. */
export type Observed = Pick<Harness, 'upstream' | 'requestAudit'>;

export async function snapshot(h: Observed): Promise<Snapshot> {
  return { seen: h.upstream.seen.length, audit: (await h.requestAudit()).length };
}

/**
 * The contract for every rejected request: the expected status, the upstream saw nothing, and
 * exactly one new request audit record (found by the response's request id, or, for parser-level
 * rejections that never got one, as the only new record) that is not an allow and carries `reason`.
 */
export async function assertRejected(
  h: Observed,
  before: Snapshot,
  got: { status: number | undefined; requestId: string | null | undefined },
  want: { status: number; reason: string; decision?: 'deny' | 'error' },
): Promise<AuditRecord> {
  assert.equal(got.status, want.status, 'status');
  assert.equal(h.upstream.seen.length, before.seen, 'the upstream must see nothing');
  const all = await h.requestAudit();
  const fresh = all.slice(before.audit);
  const mine = got.requestId ? all.filter((r) => r.requestId === got.requestId) : fresh;
  assert.equal(mine.length, 1, `exactly one audit record (found ${mine.length}: ${JSON.stringify(mine.map((r) => r.reasons))})`);
  const rec = mine[0]!;
  assert.notEqual(rec.decision, 'allow', 'a rejected request is never audited as allow');
  if (want.decision) assert.equal(rec.decision, want.decision);
  assert.ok(rec.reasons.includes(want.reason as AuditRecord['reasons'][number]), `reason ${want.reason} in ${JSON.stringify(rec.reasons)}`);
  return rec;
}

/** Status and request id of a fetch Response, in the shape assertRejected takes. */
export const fromResponse = (res: Response): { status: number; requestId: string | null } => ({ status: res.status, requestId: res.headers.get('x-gatehouse-request-id') });

/** Status and request id of a raw exchange (first response on the connection). */
export const fromRaw = (r: RawResult): { status: number | undefined; requestId: string | undefined } => ({ status: r.statuses[0], requestId: r.headers['x-gatehouse-request-id'] });

/** `Authorization: Basic` for an OAuth client: id and secret form-urlencoded first (RFC 6749 §2.3.1). */
export const basicAuth = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** POST /oauth/token with a form body; `headers` may add client authentication. */
export function tokenRequest(h: Pick<Harness, 'request'>, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return h.request('/oauth/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });
}

/**
 * The contract for a refused OAuth endpoint request: the RFC 6749 §5.2 error, no token of any kind
 * in the answer, `no-store`, and (as for every rejection) nothing upstream and one audit record.
 */
export async function assertOAuthRejected(h: Observed, before: Snapshot, res: Response, want: { status: number; error: string; reason: string }): Promise<AuditRecord> {
  const text = await res.text();
  assert.equal(res.status, want.status, `status (${text})`);
  const body = JSON.parse(text) as Record<string, unknown>;
  assert.equal(body.error, want.error, text);
  assert.equal(typeof body.error_description, 'string');
  for (const leaked of ['access_token', 'refresh_token', 'id_token', 'issued_token_type']) assert.equal(body[leaked], undefined, `no ${leaked} in a refusal`);
  assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]+\.eyJ/, 'no JWT anywhere in the answer');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  return assertRejected(h, before, fromResponse(res), { status: want.status, reason: want.reason, decision: 'deny' });
}

/** One base64url JOSE segment of a JSON value (or of raw bytes). */
export const segment = (value: unknown): string =>
  Buffer.from(value instanceof Uint8Array ? value : JSON.stringify(value)).toString('base64url');

/**
 * A compact JWS assembled by hand, for the inputs jose rightly refuses to produce (alg none with an
 * empty signature, forged or zero signatures): `header.payload.signature`, each part as given.
 */
export const compact = (header: unknown, payload: unknown, signature: string | Uint8Array = ''): string =>
  `${segment(header)}.${segment(payload)}.${typeof signature === 'string' ? signature : Buffer.from(signature).toString('base64url')}`;
