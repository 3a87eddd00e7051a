import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { isLoopback } from '../../config/exposure.ts';
import { parseStoreUrl } from '../../store/open-store.ts';
import { MEMORY_PATH } from '../../store/sqlite/open-database.ts';
import { fail, octal, pass, warn } from '../result.ts';
import type { CheckResult, DoctorCheck, DoctorContext, SecretLookup } from '../types.ts';

const loose = (mode: number): boolean => (mode & 0o077) !== 0;

interface SecretSpec {
  what: string;
  field: string;
  envName: string;
  file: string;
}

/** A secret from the environment, or a file only its owner can read. Never created here: a missing one is a FAIL. */
export function secretVerdicts(spec: SecretSpec, env: NodeJS.ProcessEnv, found: SecretLookup): CheckResult[] {
  const fromEnv = env[spec.envName];
  if (fromEnv !== undefined && fromEnv !== '') return [found.ok ? pass(`${spec.what} from ${spec.envName}`) : fail(`${spec.what} unusable: ${found.reason}`)];
  if (!existsSync(spec.file)) {
    return [fail(`${spec.what} missing: ${spec.file} does not exist and ${spec.envName} is not set`, `Gatehouse creates ${spec.field} (0600) at its first start; restore it from backup if it was lost — what it protects cannot be read without it.`)];
  }
  const mode = statSync(spec.file).mode;
  if (loose(mode)) return [fail(`${spec.what} file ${spec.file} is mode ${octal(mode)} (readable by group/others)`, `chmod 600 ${spec.file}`)];
  return [found.ok ? pass(`${spec.what} file ${spec.file} is mode ${octal(mode)}`) : fail(`${spec.what} unusable: ${found.reason}`)];
}

/** SQLite: the database and its -wal/-shm owner-only, in an owner-only directory. PostgreSQL: no password in the file, TLS off-machine. */
export function storeVerdicts(url: string, baseDir: string, env: NodeJS.ProcessEnv): CheckResult[] {
  const t = parseStoreUrl(url, baseDir);
  if (t.kind === 'sqlite') {
    if (t.path === MEMORY_PATH) return [warn('the store is in memory (sqlite::memory:): agents, keys and the audit log vanish at every restart')];
    if (!existsSync(t.path)) return [fail(`store file ${t.path} does not exist`, 'Gatehouse creates it at its first start. Is store.url (or GATEHOUSE_STORE_URL) the one the gateway uses?')];
    const out: CheckResult[] = [];
    const files = [t.path, `${t.path}-wal`, `${t.path}-shm`].filter((f) => existsSync(f));
    const bad = files.map((f) => ({ f, mode: statSync(f).mode })).filter((x) => loose(x.mode));
    for (const { f, mode } of bad) {
      out.push(fail(`store file ${f} is mode ${octal(mode)} (readable by group/others)`, `It holds the agents, credential hashes and the audit log. chmod 600 ${f} (Gatehouse also tightens it at its next start: find out what loosened it).`));
    }
    if (bad.length === 0) out.push(pass(`store file ${t.path}${files.length > 1 ? ` (and its -wal/-shm)` : ''} is mode 0600`));
    const dir = dirname(t.path);
    const dirMode = statSync(dir).mode;
    out.push(loose(dirMode) ? fail(`store directory ${dir} is mode ${octal(dirMode)} (open to group/others)`, `chmod 700 ${dir}`) : pass(`store directory ${dir} is mode ${octal(dirMode)}`));
    return out;
  }
  const parsed = new URL(t.url);
  const out: CheckResult[] = [];
  if (env.GATEHOUSE_STORE_URL !== undefined && env.GATEHOUSE_STORE_URL !== '') out.push(pass('store.url comes from GATEHOUSE_STORE_URL, not the config file'));
  else if (parsed.password !== '') out.push(warn('store.url in the config file embeds a password', 'Move the URL to GATEHOUSE_STORE_URL, or the password to PGPASSWORD / ~/.pgpass, so the config file holds no secret.'));
  else out.push(pass('store.url holds no password'));
  const sslmode = parsed.searchParams.get('sslmode');
  if (!isLoopback(parsed.hostname) && (sslmode === null || ['disable', 'allow', 'prefer'].includes(sslmode))) {
    out.push(warn(`the PostgreSQL store at ${parsed.hostname} is not required to use TLS`, 'Add ?sslmode=verify-full (or require) to store.url.'));
  }
  return out;
}

/** The server secret and the master key must differ: they are kept apart so one leak does not expose both. */
function distinct(a: SecretLookup, b: SecretLookup): CheckResult[] {
  if (!a.ok || !b.ok) return [];
  const x = Buffer.from(a.secret.reveal());
  const y = Buffer.from(b.secret.reveal());
  if (x.length !== y.length || !timingSafeEqual(x, y)) return [];
  return [warn('the server secret and the master key are the same value', 'Give GATEHOUSE_MASTER_KEY / secrets.masterKeyFile its own random value (the signing keys must then be re-created).')];
}

export const secretsCheck: DoctorCheck = {
  id: 'secrets',
  title: 'Secrets and store files',
  run(ctx: DoctorContext) {
    const { config, baseDir } = ctx.loaded;
    const server = ctx.serverSecret();
    const master = ctx.masterKey();
    return [
      ...secretVerdicts({ what: 'master key', field: 'secrets.masterKeyFile', envName: 'GATEHOUSE_MASTER_KEY', file: resolve(baseDir, config.secrets.masterKeyFile) }, ctx.env, master),
      ...secretVerdicts({ what: 'server secret', field: 'secrets.serverSecretFile', envName: 'GATEHOUSE_SERVER_SECRET', file: resolve(baseDir, config.secrets.serverSecretFile) }, ctx.env, server),
      ...distinct(server, master),
      ...storeVerdicts(config.store.url, baseDir, ctx.env),
    ];
  },
};
