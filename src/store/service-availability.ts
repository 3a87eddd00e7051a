import { Redis } from 'ioredis';
import pg from 'pg';

/** Where the test services live unless the environment says otherwise. */
export const DEFAULT_TEST_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379';

const TIMEOUT_MS = 1000;

/** The connection URL tests should use for `kind`. */
export function testServiceUrl(kind: 'postgres' | 'redis'): string {
  const env = kind === 'postgres' ? process.env.GATEHOUSE_TEST_PG_URL : process.env.GATEHOUSE_TEST_REDIS_URL;
  return env !== undefined && env !== '' ? env : kind === 'postgres' ? DEFAULT_TEST_PG_URL : DEFAULT_TEST_REDIS_URL;
}

/**
 * For tests that need a real service: `false` when it answers, else a one-line reason to pass as
 * `{ skip: reason }`. With CI=true an unreachable service is an error, so CI can never go green
 * by silently skipping the PostgreSQL or Redis tests.
 */
export async function serviceSkipReason(kind: 'postgres' | 'redis'): Promise<string | false> {
  const url = testServiceUrl(kind);
  try {
    await (kind === 'postgres' ? probePostgres(url) : probeRedis(url));
    return false;
  } catch (err) {
    const reason = `${kind} not reachable at ${redact(url)} (${err instanceof Error ? err.message : String(err)})`;
    if (process.env.CI === 'true') throw new Error(`${reason}: the service is required when CI=true`);
    return reason;
  }
}

async function probePostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: TIMEOUT_MS, query_timeout: TIMEOUT_MS });
  client.on('error', () => {}); // a late socket error must not crash the test process
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => {});
  }
}

async function probeRedis(url: string): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true, connectTimeout: TIMEOUT_MS, commandTimeout: TIMEOUT_MS,
    maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, disconnectTimeout: TIMEOUT_MS / 10,
  });
  let lastError: Error | undefined;
  client.on('error', (err: Error) => { lastError = err; });
  try {
    await client.connect().catch((err: unknown) => {
      throw lastError ?? err; // ioredis rejects with "Connection is closed."; the socket error says why
    });
    const pong = await client.ping();
    if (pong !== 'PONG') throw new Error(`unexpected PING reply ${pong}`);
  } finally {
    client.disconnect();
  }
}

/** Drops any password from a URL before it goes into a message. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
