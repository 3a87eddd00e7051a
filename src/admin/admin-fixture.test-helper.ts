import { createServer, type Server } from 'node:http';
import { after, before } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocal, type LocalCore } from '../app/open-local.ts';
import { loadConfig } from '../config/load-config.ts';
import { Metrics } from '../obs/metrics.ts';
import { silentLogger } from '../obs/logger.ts';
import { createAdminHandler } from './admin-server.ts';
import { ensureAdminToken, verifyAdminToken } from './admin-token.ts';
import { LocalAdminOps } from './local-admin-ops.ts';

// Shared by the admin API and CLI tests: a real SQLite store in a temp dir, and a real admin
// server on 127.0.0.1:0 in front of it.

/** A config with one route and one rule, so explain has something to decide. */
export function fixtureYaml(dir: string): string {
  return `store:
  url: sqlite:${join(dir, 'gh.db')}
secrets:
  serverSecretFile: ${join(dir, 'server.secret')}
routes:
  - id: api
    path: /api/*
    upstream: http://127.0.0.1:9
policies:
  rules:
    - id: readers-can-read
      agents: { labels: [reader] }
      methods: [GET]
      paths: [/api/*]
`;
}

export interface TempCore {
  dir: string;
  configFile: string;
  core: LocalCore;
  /** Closes the core and deletes the temp dir. */
  cleanup(): Promise<void>;
}

/** Writes a temp gatehouse.yaml and opens a LocalCore on it. */
export async function openTempCore(): Promise<TempCore> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-admin-'));
  const configFile = join(dir, 'gatehouse.yaml');
  writeFileSync(configFile, fixtureYaml(dir));
  const core = await openLocal(loadConfig({ file: configFile, env: {} }), { env: {} });
  return {
    dir, configFile, core,
    cleanup: async () => {
      await core.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestAdminServer {
  url: string;
  token: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves the admin API over `core` (actor `admin-api`) with a fresh admin token. */
export async function startAdminServer(core: LocalCore): Promise<TestAdminServer> {
  const token = await ensureAdminToken(core.store, core.secret, { clock: core.clock });
  if (token === undefined) throw new Error('fixture expects a store without an admin token');
  const handler = createAdminHandler({
    ops: new LocalAdminOps(core, 'admin-api'),
    verifyToken: (t) => verifyAdminToken(core.store, core.secret, t),
    metrics: new Metrics({ defaultMetrics: false }),
    ready: async () => ({ ok: true, checks: { store: 'ok' } }),
    logger: silentLogger(),
  });
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, token, server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Registers before/after hooks giving the whole test file one temp core and one admin server. */
export function useAdminServer(): { readonly tc: TempCore; readonly srv: TestAdminServer } {
  let tc: TempCore | undefined;
  let srv: TestAdminServer | undefined;
  before(async () => {
    tc = await openTempCore();
    srv = await startAdminServer(tc.core);
  });
  after(async () => {
    await srv?.close();
    await tc?.cleanup();
  });
  return {
    get tc() {
      return tc!;
    },
    get srv() {
      return srv!;
    },
  };
}
