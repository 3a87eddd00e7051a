import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { X509Certificate } from 'node:crypto';

/** What an HTTP probe saw: a status, or the connection error code (ECONNREFUSED, ETIMEDOUT …). */
export type HttpOutcome = { status: number } | { error: string };

/** What a TLS handshake saw. `authorizationError` is the chain/hostname verdict (the handshake itself never rejects). */
export type TlsOutcome =
  | { ok: true; protocol: string; cert: X509Certificate | undefined; authorizationError: string | undefined }
  | { ok: false; code: string; message: string };

/** The doctor's only ways onto the network: one small request or handshake each, bounded by a timeout. */
export interface Probes {
  http(url: URL, opts?: { headers?: Record<string, string> }): Promise<HttpOutcome>;
  /** True when something accepts a TCP connection at host:port. */
  tcp(host: string, port: number): Promise<boolean>;
  /** A handshake; `legacy` offers only TLS 1.0/1.1 (to see whether the server still accepts them). */
  tls(host: string, port: number, opts?: { legacy?: boolean }): Promise<TlsOutcome>;
}

const TIMEOUT_MS = 3_000;
const TCP_TIMEOUT_MS = 800;
const bare = (host: string): string => host.replace(/^\[|\]$/g, '');

/** Real probes on node:http(s), node:net and node:tls. Certificates are not trusted or refused here: the tls check judges them. */
export function networkProbes(timeoutMs = TIMEOUT_MS): Probes {
  return {
    http: (url, opts = {}) => new Promise((resolve) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      // agent: false — one fresh connection per probe, nothing pooled to keep the process alive.
      const req = send(url, { method: 'GET', headers: opts.headers ?? {}, agent: false, rejectUnauthorized: false, timeout: timeoutMs }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0 });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
      req.end();
    }),
    tcp: (host, port) => new Promise((resolve) => {
      const socket = tcpConnect({ host: bare(host), port, timeout: TCP_TIMEOUT_MS });
      const done = (open: boolean): void => {
        socket.destroy();
        resolve(open);
      };
      socket.on('connect', () => done(true));
      socket.on('timeout', () => done(false));
      socket.on('error', () => done(false));
    }),
    tls: (host, port, opts = {}) => new Promise((resolve) => {
      const h = bare(host);
      const options: ConnectionOptions = {
        host: h, port, rejectUnauthorized: false, timeout: timeoutMs,
        ...(isIP(h) === 0 ? { servername: h } : {}), // SNI carries names only
        // OpenSSL's default security level will not even offer TLS 1.0/1.1; level 0 lets us ask.
        ...(opts.legacy ? { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
      };
      const socket = tlsConnect(options, () => {
        const authorizationError = socket.authorizationError === null || socket.authorizationError === undefined ? undefined : String(socket.authorizationError);
        resolve({ ok: true, protocol: socket.getProtocol() ?? 'unknown', cert: socket.getPeerX509Certificate(), authorizationError });
        socket.destroy();
      });
      socket.on('timeout', () => socket.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      socket.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, code: err.code ?? 'ERROR', message: err.message.split('\n')[0] ?? '' }));
    }),
  };
}
