import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { LoadedConfig } from '../config/load-config.ts';
import type { ListenerConfig } from '../config/schema.ts';
import { loadMasterKey, loadServerSecret } from '../config/server-secret.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { ConfigError } from '../core/errors.ts';
import type { Secret } from '../core/secret.ts';
import { parseStoreUrl } from '../store/open-store.ts';
import { MEMORY_PATH } from '../store/sqlite/open-database.ts';
import { networkProbes, type Probes } from './probe.ts';
import { SqliteReader } from './sqlite-reader.ts';
import type { DoctorContext, DoctorStore, Opened, ProbeTarget, SecretLookup } from './types.ts';

export interface DoctorOptions {
  loaded: LoadedConfig;
  env: NodeJS.ProcessEnv;
  /** false (--no-probe): judge the config, store and files only; touch no listener. */
  probe: boolean;
  /** Probe these instead of the configured host:port (ports chosen at start, a proxy in front …). */
  dataUrl?: string;
  adminUrl?: string;
  /** Name of the env var holding the admin token, to confirm the admin API accepts it. */
  adminTokenEnv?: string;
  probes?: Probes;
  clock?: Clock;
  otherAddresses?: () => string[];
}

/** A DoctorContext over one deployment; close() releases the store if a check opened it. */
export function createDoctorContext(o: DoctorOptions): DoctorContext & { close(): Promise<void> } {
  const { config, baseDir } = o.loaded;
  const env = o.env;
  const once = <T>(f: () => T): (() => T) => {
    let v: { value: T } | undefined;
    return () => (v ??= { value: f() }).value;
  };
  const serverSecret = once(() => lookup(() => loadServerSecret({ file: config.secrets.serverSecretFile, baseDir, env, create: false }), env.GATEHOUSE_SERVER_SECRET));
  const masterKey = once(() => lookup(() => loadMasterKey({ file: config.secrets.masterKeyFile, baseDir, env, create: false }), env.GATEHOUSE_MASTER_KEY));
  let opened: Promise<Opened<DoctorStore>> | undefined;
  const store = (): Promise<Opened<DoctorStore>> => (opened ??= openReadOnlyStore(config.store.url, baseDir));
  const tokenEnv = o.adminTokenEnv ?? 'GATEHOUSE_ADMIN_TOKEN';
  const tokenValue = env[tokenEnv];
  return {
    loaded: o.loaded, env,
    now: () => (o.clock ?? systemClock).now(),
    targets: {
      data: target(config.server.listen, o.probe, o.dataUrl, '--probe-data'),
      admin: target(config.admin.listen, o.probe, o.adminUrl, '--probe-admin'),
    },
    adminToken: tokenValue === undefined || tokenValue === '' ? undefined : { envName: tokenEnv, value: tokenValue },
    probes: o.probes ?? networkProbes(),
    otherAddresses: o.otherAddresses ?? localAddresses,
    serverSecret, masterKey, store,
    close: async () => {
      const s = await opened; // only what a check actually opened
      if (s?.ok) await s.value.close();
    },
  };
}

function lookup(load: () => { secret: Secret }, fromEnv: string | undefined): SecretLookup {
  try {
    return { ok: true, secret: load().secret, source: fromEnv !== undefined && fromEnv !== '' ? 'env' : 'file' };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, reason: err.issues.join('; ') };
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** The URL to probe for a listener: the override, else the configured bind (an any-address bind is probed on loopback). */
function target(listen: ListenerConfig, probe: boolean, override: string | undefined, flag: string): ProbeTarget {
  if (!probe) return { skip: 'not probed (--no-probe)' };
  if (override !== undefined) return { url: new URL(override) };
  if (listen.port === 0) return { skip: `not probed: the configured port is 0 (chosen at start); pass ${flag} URL` };
  const any = listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host === '::' || listen.host === '[::]' ? '::1' : listen.host;
  const host = isIP(any) === 6 ? `[${any}]` : any;
  return { url: new URL(`${listen.tls ? 'https' : 'http'}://${host}:${listen.port}`) };
}

/** Opens the store without writing, migrating or creating anything; a reason instead of a throw. */
export async function openReadOnlyStore(url: string, baseDir: string): Promise<Opened<DoctorStore>> {
  try {
    const t = parseStoreUrl(url, baseDir);
    if (t.kind === 'sqlite') {
      if (t.path === MEMORY_PATH) return { ok: false, reason: 'the store is in memory (sqlite::memory:): nothing persists, nothing to inspect' };
      if (!existsSync(t.path)) return { ok: false, reason: `store file ${t.path} does not exist` };
      return { ok: true, value: new SqliteReader(t.path) };
    }
    const { PostgresStore } = await import('../store/postgres/postgres-store.ts');
    // No migrate(): the doctor reads whatever schema is there.
    const pg = new PostgresStore({ url: t.url, max: 2, connectionTimeoutMillis: 5_000, ...(t.schema === undefined ? {} : { schema: t.schema }) });
    try {
      await pg.ping();
    } catch (err) {
      await pg.close().catch(() => undefined);
      return { ok: false, reason: `cannot reach the PostgreSQL store: ${(err as Error).message}` };
    }
    return { ok: true, value: pg };
  } catch (err) {
    return { ok: false, reason: err instanceof ConfigError ? err.issues.join('; ') : `cannot open the store: ${(err as Error).message}` };
  }
}

/** This machine's non-loopback addresses (link-local IPv6 left out: it needs a zone to connect). */
function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal && !a.address.toLowerCase().startsWith('fe80'))
    .map((a) => a.address);
}
