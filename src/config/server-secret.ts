import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import { Secret } from '../core/secret.ts';

const MIN_LENGTH = 32;

/**
 * The HMAC key under which credentials are hashed. From GATEHOUSE_SERVER_SECRET, else from
 * `secrets.serverSecretFile`, which is created (mode 0600, 256 random bits) on first start.
 * Losing it invalidates every issued key, so it is never regenerated over an existing file.
 */
export function loadServerSecret(opts: { file: string; baseDir: string; env?: NodeJS.ProcessEnv; create: boolean }): { secret: Secret; created: boolean; warnings: string[] } {
  const env = opts.env ?? process.env;
  const fromEnv = env.GATEHOUSE_SERVER_SECRET;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < MIN_LENGTH) throw new ConfigError([`GATEHOUSE_SERVER_SECRET: must be at least ${MIN_LENGTH} characters`]);
    return { secret: new Secret(fromEnv), created: false, warnings: [] };
  }
  const path = resolve(opts.baseDir, opts.file);
  const warnings: string[] = [];
  if (!existsSync(path)) {
    if (!opts.create) throw new ConfigError([`secrets.serverSecretFile: ${path} does not exist (start Gatehouse once, or set GATEHOUSE_SERVER_SECRET)`]);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    return { secret: new Secret(readSecret(path)), created: true, warnings };
  }
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) warnings.push(`secrets.serverSecretFile: ${path} is readable by group/others (mode ${mode.toString(8)}); chmod 600 it`);
  return { secret: new Secret(readSecret(path)), created: false, warnings };
}

function readSecret(path: string): string {
  const value = readFileSync(path, 'utf8').trim();
  if (value.length < MIN_LENGTH) throw new ConfigError([`secrets.serverSecretFile: ${path} holds fewer than ${MIN_LENGTH} characters`]);
  return value;
}
