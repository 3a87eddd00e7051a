import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load-config.ts';
import { openLocal, type LocalCore } from '../../src/app/open-local.ts';
import { startGateway, type RunningGateway } from '../../src/app/gateway-runtime.ts';
import { silentLogger } from '../../src/obs/logger.ts';
import type { AuditRecord } from '../../src/core/types.ts';
import type { Store } from '../../src/store/store.ts';
import { startRecordingUpstream, type SeenRequest } from './recording-upstream.ts';

export interface Harness {
  dir: string;
  configFile: string;
  readonly core: LocalCore;
  readonly gw: RunningGateway;
  upstream: { url: string; seen: SeenRequest[] };
  /** Creates an agent and returns a fresh API key for it. */
  agentWithKey(name: string, opts?: { labels?: string[]; scopes?: string[] }): Promise<{ key: string; keyId: string; agentId: string }>;
  /** fetch against the data plane. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Sends raw bytes on a new TCP connection; resolves with everything the gateway answered. */
  raw(bytes: string): Promise<string>;
  /** Stops the gateway and closes the store (as a crash-free shutdown would), then starts both again from the same files. */
  restart(): Promise<void>;
  /** Request audit records written so far (flushes the queue first). */
  requestAudit(): Promise<AuditRecord[]>;
  close(): Promise<void>;
}

/**
 * A real Gatehouse on 127.0.0.1 (ports chosen by the OS) over a real SQLite file, in front of a
 * recording upstream. `config` is merged over a default with one strict route `/api/*`.
 */
export interface HarnessOptions {
  /** Replaces the audit sink (fault injection); receives the opened core. */
  auditSink?: (core: LocalCore) => Pick<Store, 'appendAudit'>;
}

export async function startHarness(config: (upstreamUrl: string) => Record<string, unknown> = defaultConfig, opts: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  const upstream = await startRecordingUpstream();
  const configFile = join(dir, 'gatehouse.yaml');
  const base = {
    store: { url: `sqlite:${join(dir, 'gatehouse.db')}` },
    secrets: { serverSecretFile: join(dir, 'server.secret') },
    server: { listen: { port: 0 } },
    admin: { listen: { port: 0 } },
    log: { level: 'silent', pretty: 'never' },
    audit: { flushIntervalMs: 5 },
  };
  writeFileSync(configFile, stringify({ ...base, ...config(upstream.url) }));
  const boot = async () => {
    const c = await openLocal(loadConfig({ file: configFile }), { env: {} });
    try {
      return { core: c, gw: await startGateway(c, { logger: silentLogger(), ...(opts.auditSink ? { auditSink: opts.auditSink(c) } : {}) }) };
    } catch (err) {
      await c.close();
      throw err;
    }
  };
  let booted;
  try {
    booted = await boot();
  } catch (err) {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let { core, gw } = booted;
  return {
    dir, configFile, upstream,
    get core() {
      return core;
    },
    get gw() {
      return gw;
    },
    async restart() {
      await gw.close();
      await core.close();
      ({ core, gw } = await boot());
    },
    async agentWithKey(name, opts = {}) {
      const agent = await core.agents.create({ name, labels: opts.labels ?? [], scopes: opts.scopes ?? [] }, 'test');
      const issued = await core.keys.issue(agent.id, {}, 'test');
      return { key: issued.key, keyId: issued.record.id, agentId: agent.id };
    },
    request: (path, init) => fetch(`${gw.dataUrl}${path}`, init),
    raw: (bytes) => rawRequest(new URL(gw.dataUrl), bytes),
    async requestAudit() {
      await gw.audit.flush();
      return core.store.queryAudit({ kind: 'request', limit: 10_000, order: 'asc' });
    },
    async close() {
      await gw.close();
      await core.close();
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function defaultConfig(upstreamUrl: string): Record<string, unknown> {
  return {
    routes: [
      { id: 'api', path: '/api/*', upstream: upstreamUrl, websocket: true },
      { id: 'open', path: '/public/*', upstream: upstreamUrl, auth: 'public' },
      { id: 'files', path: '/files/*', upstream: upstreamUrl },
      { id: 'slow', path: '/slow/*', upstream: upstreamUrl, timeoutMs: 300 },
      { id: 'down', path: '/down/*', upstream: 'http://127.0.0.1:9' },
    ],
    policies: {
      rules: [
        { id: 'readers-read', agents: { labels: ['reader'] }, methods: ['GET', 'HEAD'], paths: ['/api/*', '/slow/*', '/down/*'] },
        { id: 'writers-write', agents: { labels: ['writer'] }, methods: ['GET', 'POST', 'DELETE'], paths: ['/api/*'] },
        { id: 'own-files', agents: { labels: ['owner'] }, methods: ['GET'], paths: ['/files/{agent}/*'] },
      ],
    },
  };
}

function rawRequest(url: URL, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? resolve(Buffer.concat(chunks).toString('latin1')) : reject(e)));
    socket.write(bytes);
    // Half-close: the gateway answers and closes, or keep-alive times out (harness sets no long timers).
    setTimeout(() => socket.end(), 300).unref();
  });
}
