import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import { Secret } from '../core/secret.ts';

const MIN_LENGTH = 32;

interface SecretFileSpec {
  /** Config field naming the file, for error messages (e.g. `secrets.serverSecretFile`). */
  field: string;
  envName: string;
  file: string;
  baseDir: string;
  env?: NodeJS.ProcessEnv;
  create: boolean;
}

/**
 * A 256-bit secret from an env var, else from a file that is created (mode 0600, in a 0700
 * directory) on first start. Never regenerated over an existing file: losing it would invalidate
 * everything derived from it.
 */
function loadSecretFile(spec: SecretFileSpec): { secret: Secret; created: boolean; warnings: string[] } {
  const fromEnv = (spec.env ?? process.env)[spec.envName];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < MIN_LENGTH) throw new ConfigError([`${spec.envName}: must be at least ${MIN_LENGTH} characters`]);
    return { secret: new Secret(fromEnv), created: false, warnings: [] };
  }
  const path = resolve(spec.baseDir, spec.file);
  const warnings: string[] = [];
  if (!existsSync(path)) {
    if (!spec.create) throw new ConfigError([`${spec.field}: ${path} does not exist (start Gatehouse once, or set ${spec.envName})`]);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    return { secret: new Secret(readSecret(spec.field, path)), created: true, warnings };
  }
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) warnings.push(`${spec.field}: ${path} is readable by group/others (mode ${mode.toString(8)}); chmod 600 it`);
  return { secret: new Secret(readSecret(spec.field, path)), created: false, warnings };
}

/** The HMAC key under which credentials are hashed (GATEHOUSE_SERVER_SECRET or secrets.serverSecretFile). */
export function loadServerSecret(opts: { file: string; baseDir: string; env?: NodeJS.ProcessEnv; create: boolean }): { secret: Secret; created: boolean; warnings: string[] } {
  return loadSecretFile({ ...opts, field: 'secrets.serverSecretFile', envName: 'GATEHOUSE_SERVER_SECRET' });
}

/**
 * The key that encrypts token-signing keys at rest (GATEHOUSE_MASTER_KEY or secrets.masterKeyFile).
 * Kept apart from the server secret so a leaked credential-hash key does not also expose signing keys.
 */
export function loadMasterKey(opts: { file: string; baseDir: string; env?: NodeJS.ProcessEnv; create: boolean }): { secret: Secret; created: boolean; warnings: string[] } {
  return loadSecretFile({ ...opts, field: 'secrets.masterKeyFile', envName: 'GATEHOUSE_MASTER_KEY' });
}

function readSecret(field: string, path: string): string {
  const value = readFileSync(path, 'utf8').trim();
  if (value.length < MIN_LENGTH) throw new ConfigError([`${field}: ${path} holds fewer than ${MIN_LENGTH} characters`]);
  return value;
}
