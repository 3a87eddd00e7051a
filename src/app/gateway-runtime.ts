import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../core/errors.ts';
import { checkExposure } from '../config/exposure.ts';
import { loadConfig } from '../config/load-config.ts';
import type { Config } from '../config/schema.ts';
import { AuditQueue } from '../audit/audit-queue.ts';
import { StoreWriterThread } from '../audit/store-writer-thread.ts';
import { auditSealKey } from '../core/hash-chain.ts';
import { createRateLimiter, type RateLimiter } from '../limits/rate-limiter.ts';
import { Forwarder } from '../gateway/forwarder.ts';
import { createDataPlane, createListener } from '../gateway/data-plane.ts';
import { buildRuntimeState, type RuntimeState } from '../gateway/runtime-state.ts';
import { LocalEndpointTable } from '../gateway/local-endpoint.ts';
import type { GatewayDeps } from '../gateway/gateway-deps.ts';
import { Metrics } from '../obs/metrics.ts';
import type { Logger } from '../obs/logger.ts';
import { createAdminHandler } from '../admin/admin-server.ts';
import { LocalAdminOps } from '../admin/local-admin-ops.ts';
import { ensureAdminToken, verifyAdminToken } from '../admin/admin-token.ts';
import type { LocalCore } from './open-local.ts';
import type { Store } from '../store/store.ts';
import { loadPolicyEngine } from './load-policy.ts';
import type { PolicyEngine } from '../policy/policy-engine.ts';

export interface RunningGateway {
  dataUrl: string;
  adminUrl: string;
  /** The admin token, only on the very first start (shown once). */
  newAdminToken: string | undefined;
  metrics: Metrics;
  audit: AuditQueue;
  /** Re-reads the config file; swaps routes + policies atomically, or keeps the running ones on error. */
  reload(): { ok: true; changed: string[] } | { ok: false; error: string };
  /**
   * Test-only fault-injection seam: installs a policy engine (e.g. one loaded with a throwing
   * `evaluate`) exactly as a reload would, keeping the running routes and config.
   */
  setPolicyForTesting(engine: PolicyEngine): void;
  close(): Promise<void>;
}

export interface StartOptions {
  logger: Logger;
  metrics?: Metrics;
  /** Where audit batches go (tests inject faults here). Default: a writer thread for SQLite files, else the store. */
  auditSink?: Pick<Store, 'appendAudit'>;
}

/**
 * Starts both listeners over an opened core. Throws ConfigError before binding anything if exposure
 * rules fail; on any failure, whatever was already started is stopped again.
 */
export async function startGateway(core: LocalCore, opts: StartOptions): Promise<RunningGateway> {
  const { logger } = opts;
  const config = core.loaded.config;
  const warnings = [
    ...checkExposure(config.server.listen, 'server.listen').warnings,
    ...checkExposure(config.admin.listen, 'admin.listen').warnings,
  ];
  for (const w of warnings) logger.warn(w);
  for (const w of core.warnings) logger.warn(w);

  const metrics = opts.metrics ?? new Metrics();
  const limiter: RateLimiter = await createRateLimiter({
    ...(config.redis.url ? { redisUrl: config.redis.url } : {}),
    authFailures: config.rateLimit.authFailures,
    onError: (err) => logger.error({ err }, 'rate limiter backend error; limited requests are refused (503) until it recovers'),
  });
  // Nothing half-started may keep the process alive (Redis sockets, the writer thread, timers).
  const undo: Array<() => unknown> = [() => limiter.close()];
  const abandon = async (err: unknown): Promise<never> => {
    for (const step of undo.reverse()) await Promise.resolve().then(step).catch(() => undefined);
    throw err;
  };
  // SQLite: audit writes (hash chain, inserts, WAL checkpoints) run on their own thread and connection.
  const sink = !opts.auditSink && core.store.kind === 'sqlite' && !config.store.url.endsWith(':memory:') ? new StoreWriterThread({ url: config.store.url, baseDir: core.loaded.baseDir, auditSealKey: auditSealKey(core.secret.reveal()) }) : undefined;
  if (sink) undo.push(() => sink.close());
  await sink?.start().catch(abandon);
  const audit = new AuditQueue(opts.auditSink ?? sink ?? core.store, {
    ...config.audit,
    onError: (err) => logger.error({ err }, 'audit write failed; requests are refused until it recovers'),
    onDepth: (n) => metrics.auditQueueDepth.set(n),
  });
  undo.push(() => audit.close());
  const forwarder = new Forwarder();
  undo.push(() => forwarder.close());
  // Endpoints exist only once the issuer is known (the bound data-plane URL unless configured).
  let endpoints = new LocalEndpointTable();
  let state: RuntimeState = buildRuntimeState(config, core.policy(), endpoints);
  const oauth = core.oauth;
  const deps: GatewayDeps = { state: () => state, keys: core.keys, tokens: oauth.verifier, identity: config.oauth.upstreamAssertion.enabled ? oauth.identity : undefined, limiter, audit, forwarder, metrics, logger, clock: core.clock };
  await oauth.start().catch(abandon); // signing keys: created on first start, shared through the store
  undo.push(() => oauth.stop());

  const data = await Promise.resolve().then(() => createDataPlane(deps, core.loaded.baseDir)).catch(abandon); // reads TLS files
  undo.push(() => data.close());
  const newAdminToken = await ensureAdminToken(core.store, core.secret).catch(abandon);
  const adminHandler = createAdminHandler({
    ops: new LocalAdminOps(core, 'admin-api', { config: () => state.config }),
    verifyToken: (t) => verifyAdminToken(core.store, core.secret, t),
    metrics,
    logger,
    ready: async () => {
      const checks: Record<string, string> = {};
      try {
        await core.store.ping();
        checks.store = 'ok';
      } catch {
        checks.store = 'failing';
      }
      checks.audit = audit.accepting() ? 'ok' : 'failing';
      return { ok: Object.values(checks).every((v) => v === 'ok'), checks };
    },
  });
  const admin = await Promise.resolve().then(() => createListener('admin.listen', config.admin.listen, core.loaded.baseDir, config.server.limits, adminHandler)).catch(abandon);
  undo.push(() => admin.close());
  await listen(data, config.server.listen, 'server.listen').catch(abandon);
  await listen(admin, config.admin.listen, 'admin.listen').catch(abandon);
  oauth.bindIssuer(urlOf(data, config.server.listen.tls !== undefined));
  endpoints = oauth.endpoints(limiter, metrics);
  state = buildRuntimeState(state.config, state.policy, endpoints);
  const touch = setInterval(() => void core.keys.flushLastUsed(sink ?? core.store).catch((err) => logger.warn({ err }, 'could not record key last-used times')), 5_000);
  touch.unref();

  return {
    dataUrl: urlOf(data, config.server.listen.tls !== undefined),
    adminUrl: urlOf(admin, config.admin.listen.tls !== undefined),
    newAdminToken,
    metrics,
    audit,
    reload() {
      try {
        if (!core.loaded.file) return { ok: false, error: 'no config file to reload' };
        const next = loadConfig({ file: core.loaded.file });
        const policy = loadPolicyEngine(next.config, next.baseDir);
        const changed = restartOnlyChanges(state.config, next.config);
        // Routes and policies swap as one reference; other sections need a restart.
        const merged = { ...state.config, routes: next.config.routes, policies: next.config.policies, rateLimit: next.config.rateLimit, oauth: next.config.oauth } as Config;
        core.setConfig(Object.freeze(merged));
        endpoints = oauth.endpoints(limiter, metrics); // their rate limit comes from oauth.rateLimit
        state = buildRuntimeState(core.config(), policy, endpoints);
        core.setPolicy(policy);
        for (const c of changed) logger.warn(`config section "${c}" changed: restart Gatehouse to apply it`);
        logger.info({ routes: merged.routes.length, policyVersion: policy.version }, 'configuration reloaded');
        return { ok: true, changed };
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        logger.error(`config reload rejected; the running configuration stays: ${error}`);
        return { ok: false, error };
      }
    },
    setPolicyForTesting(engine) {
      state = buildRuntimeState(state.config, engine, endpoints);
      core.setPolicy(engine);
    },
    async close() {
      oauth.stop();
      clearInterval(touch);
      await Promise.all([closeServer(data), closeServer(admin)]);
      await audit.close().catch((err) => logger.error({ err }, 'audit flush at shutdown failed'));
      await core.keys.flushLastUsed(sink ?? core.store).catch((err) => logger.warn({ err }, 'could not record key last-used times'));
      await sink?.close();
      await Promise.all([limiter.close(), forwarder.close()]);
    },
  };
}

const RELOADABLE = new Set(['routes', 'policies', 'rateLimit', 'oauth']);
// Within oauth, resources, lifetimes and limits reload; these are read once at start.
const OAUTH_RESTART_ONLY = ['issuer', 'signing', 'clockSkewSeconds', 'maxAssertionLifetimeSeconds', 'clientSecrets', 'upstreamAssertion'] as const;

function restartOnlyChanges(a: Readonly<Config>, b: Readonly<Config>): string[] {
  const top = (Object.keys(b) as (keyof Config)[]).filter((k) => !RELOADABLE.has(k) && JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  const oauth = OAUTH_RESTART_ONLY.filter((k) => JSON.stringify(a.oauth[k]) !== JSON.stringify(b.oauth[k])).map((k) => `oauth.${k}`);
  return [...top, ...oauth];
}

function listen(server: Server, l: Config['server']['listen'], field: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') reject(new ConfigError([`${field}.port: ${l.host}:${l.port} is already in use; stop the other process or choose another port`]));
      else if (err.code === 'EADDRNOTAVAIL') reject(new ConfigError([`${field}.host: ${l.host} is not an address of this machine`]));
      else reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(l.port, l.host);
  });
}

function urlOf(server: Server, tls: boolean): string {
  const a = server.address() as AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return `${tls ? 'https' : 'http'}://${host}:${a.port}`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    // Streams (SSE, WebSockets) would hold shutdown open forever.
    setTimeout(() => server.closeAllConnections(), 2_000).unref();
  });
}
