import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import { MEMORY_PATH } from './sqlite/open-database.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

/** A parsed `store.url`. */
export type StoreTarget =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; url: string; schema: string | undefined };

/**
 * Parses `store.url`: `sqlite:<path>` (relative to baseDir, `sqlite::memory:` for tests) or
 * `postgres://…` / `postgresql://…` with an optional `?schema=name` that this layer consumes.
 */
export function parseStoreUrl(url: string, baseDir: string = process.cwd()): StoreTarget {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '') throw new ConfigError(['store.url: sqlite: needs a file path, e.g. sqlite:./.gatehouse/gatehouse.db']);
    if (path === MEMORY_PATH) return { kind: 'sqlite', path };
    return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(baseDir, path) };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      // Never echo the URL: it may carry a password.
      throw new ConfigError(['store.url: not a valid postgres:// URL']);
    }
    const schema = parsed.searchParams.get('schema') ?? undefined;
    parsed.searchParams.delete('schema');
    return { kind: 'postgres', url: parsed.toString(), schema };
  }
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0] ?? '(none)';
  throw new ConfigError([`store.url: unsupported scheme ${scheme} (expected sqlite: or postgres://)`]);
}

/** Opens the store `url` names and brings its schema up to date before returning it. */
export async function openStore(url: string, opts: { baseDir?: string; auditSealKey?: string } = {}): Promise<Store> {
  const target = parseStoreUrl(url, opts.baseDir);
  const seal = opts.auditSealKey === undefined ? {} : { auditSealKey: opts.auditSealKey };
  // The pg driver is loaded only for a PostgreSQL store.
  const store: Store = target.kind === 'sqlite'
    ? new SqliteStore({ path: target.path, ...seal })
    : new (await import('./postgres/postgres-store.ts')).PostgresStore({ url: target.url, ...seal, ...(target.schema === undefined ? {} : { schema: target.schema }) });
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  return store;
}
