import { isIP } from 'node:net';
import { ConfigError } from '../core/errors.ts';
import type { ListenerConfig } from './schema.ts';

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h === '::1') return true;
  if (h.startsWith('::ffff:')) return isLoopback(h.slice(7));
  return false;
}

/**
 * A non-loopback bind is refused unless TLS is configured or the operator explicitly opted into
 * `insecurePublic` (which returns a warning to log loudly at every start).
 */
export function checkExposure(listen: ListenerConfig, field: string): { warnings: string[] } {
  if (isLoopback(listen.host)) return { warnings: [] };
  if (listen.tls) return { warnings: [] };
  if (listen.insecurePublic) {
    return { warnings: [`${field}: INSECURE — listening on ${listen.host}:${listen.port} without TLS (insecurePublic: true). Credentials cross the network in clear text.`] };
  }
  throw new ConfigError([`${field}.host: binding ${listen.host} (not loopback) requires ${field}.tls (cert + key), or an explicit ${field}.insecurePublic: true`]);
}
