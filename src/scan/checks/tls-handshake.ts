import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect, type ConnectionOptions, type SecureVersion } from 'node:tls';

/** What one TLS handshake saw. The handshake never fails on the certificate: the check judges it. */
export type HandshakeResult =
  | { ok: true; protocol: string; cipher: string; authorizationError: string | undefined; cert: X509Certificate | undefined }
  | { ok: false; error: string };

export interface HandshakeOptions {
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  /** An OpenSSL cipher string (TLS ≤ 1.2 suites). */
  ciphers?: string;
  /** Trust these CAs instead of the default roots (tests; private CAs). */
  ca?: string | Buffer | Array<string | Buffer>;
  timeoutMs: number;
}

/** One handshake with host:port, closed as soon as it completes: no HTTP request is sent. */
export function tlsHandshake(host: string, port: number, opts: HandshakeOptions): Promise<HandshakeResult> {
  const bare = host.replace(/^\[|\]$/g, '');
  const options: ConnectionOptions = {
    host: bare, port, rejectUnauthorized: false, timeout: opts.timeoutMs,
    ...(isIP(bare) === 0 ? { servername: bare } : {}), // SNI carries names only
    ...(opts.minVersion ? { minVersion: opts.minVersion } : {}),
    ...(opts.maxVersion ? { maxVersion: opts.maxVersion } : {}),
    ...(opts.ciphers ? { ciphers: opts.ciphers } : {}),
    ...(opts.ca ? { ca: opts.ca } : {}),
  };
  return new Promise((resolve) => {
    let socket: ReturnType<typeof connect>;
    try {
      socket = connect(options, () => {
        const err = socket.authorizationError;
        resolve({ ok: true, protocol: socket.getProtocol() ?? 'unknown', cipher: socket.getCipher()?.name ?? 'unknown', authorizationError: err ? String(err) : undefined, cert: socket.getPeerX509Certificate() });
        socket.destroy();
      });
    } catch (err) {
      // e.g. ERR_SSL_NO_CIPHER_MATCH: this OpenSSL cannot even offer what we asked for.
      resolve({ ok: false, error: (err as NodeJS.ErrnoException).code ?? String(err) });
      return;
    }
    socket.on('timeout', () => socket.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, error: err.code ?? err.message.split('\n')[0] ?? 'error' }));
  });
}
