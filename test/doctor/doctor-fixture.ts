import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { capture, cliContext } from '../../src/cli/cli-harness.test-helper.ts';
import { doctor, type DoctorSeams } from '../../src/cli/commands/doctor.ts';
import { startHarness, type Harness } from '../helpers/gateway-harness.ts';

// Shared by the doctor's integration tests: real gateways (the harness), fake listeners, and a
// runner that returns the --json report's lines.

export interface Line {
  id: string;
  status: 'pass' | 'warn' | 'fail';
  message: string;
}

export const fixtures = join(import.meta.dirname, '..', 'fixtures', 'tls');
export const expired = join(import.meta.dirname, 'fixtures');
const open: Array<{ close(): unknown }> = [];

/** Everything the helpers started, closed in reverse order (call from after()). */
export async function closeAll(): Promise<void> {
  for (const o of open.splice(0).reverse()) await o.close();
}

/** Closes the most recently started server or gateway now (a port that is free again). */
export async function closeLast(): Promise<void> {
  await open.pop()?.close();
}

/** Closes this (a server, a harness) when the tests end. */
export function track(o: { close(): unknown }): void {
  open.push(o);
}

/** Removes a directory when the tests end. */
export function removeLater(dir: string): void {
  open.push({ close: () => rmSync(dir, { recursive: true, force: true }) });
}

/** A gateway with strict routes covered by policies, one explicitly public route, an agent with a key and audited traffic. */
export function sensible(extra: Record<string, unknown> = {}) {
  return (upstream: string): Record<string, unknown> => ({
    routes: [
      { id: 'api', path: '/api/*', upstream },
      { id: 'files', path: '/files/*', upstream },
      { id: 'health', path: '/healthz', upstream, auth: 'public' },
    ],
    policies: {
      rules: [
        { id: 'readers-read', agents: { labels: ['reader'] }, methods: ['GET'], paths: ['/api/*'] },
        { id: 'own-files', agents: { labels: ['reader'] }, methods: ['GET'], paths: ['/files/{agent}/*'] },
      ],
    },
    ...extra,
  });
}

export async function gateway(extra: Record<string, unknown> = {}): Promise<Harness> {
  const h = await startHarness(sensible(extra));
  open.push(h);
  const { key } = await h.agentWithKey('reader-bot', { labels: ['reader'] });
  // fetch would refuse the test certificates; the plain-HTTP deployments carry the traffic.
  if (h.gw.dataUrl.startsWith('http:')) assert.equal((await h.request('/api/agents', { headers: { authorization: `Bearer ${key}` } })).status, 200);
  await h.requestAudit(); // flushed: the doctor reads a chain that includes request records
  return h;
}

/** Runs `gatehouse doctor --json` on the harness's config, probing its real listeners unless told otherwise. */
export async function runDoctor(h: Harness, args: string[] = [], seams: DoctorSeams = {}, configFile = h.configFile, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; lines: Line[] }> {
  const out = capture();
  const probes = args.includes('--no-probe') ? [] : ['--probe-data', h.gw.dataUrl, '--probe-admin', h.gw.adminUrl];
  const code = await doctor({ ...cliContext(h.dir, configFile), env }, ['--json', ...probes, ...args], out, seams);
  assert.equal(out.text.err, '');
  const report = JSON.parse(out.text.out) as { checks: Line[]; summary: { passed: number; warnings: number; failed: number } };
  assert.equal(report.summary.failed, report.checks.filter((l) => l.status === 'fail').length);
  return { code, lines: report.checks };
}

export const failures = (lines: Line[]): string[] => lines.filter((l) => l.status === 'fail').map((l) => l.message);
export const has = (lines: Line[], status: Line['status'], pattern: RegExp): boolean => lines.some((l) => l.status === status && pattern.test(l.message));

/** A config file beside the harness's one: same store and secrets, different settings. */
export function variant(h: Harness, name: string, patch: Record<string, unknown>): string {
  const file = join(h.dir, name);
  writeFileSync(file, stringify({
    store: { url: `sqlite:${join(h.dir, 'gatehouse.db')}` },
    secrets: { serverSecretFile: join(h.dir, 'server.secret') },
    log: { level: 'silent' },
    ...sensible()('http://127.0.0.1:9'),
    ...patch,
  }), { mode: 0o600 });
  return file;
}

export async function fakeServer(status: number, tls?: { cert: string; key: string; legacy: boolean }): Promise<string> {
  const handler = (_req: unknown, res: { writeHead(s: number): void; end(b: string): void }): void => {
    res.writeHead(status);
    res.end('{"agents":[]}');
  };
  const server: Server = tls
    ? createHttpsServer({ cert: tls.cert, key: tls.key, ...(tls.legacy ? { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' } : {}) }, handler)
    : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push({ close: () => new Promise((resolve) => server.close(resolve)) });
  return `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** TLS files for a listener, the key private to its owner as it must be (git checks fixtures out 0644). */
export function tlsFiles(certFile: string, keyFile: string): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-doctor-tls-'));
  removeLater(dir);
  copyFileSync(certFile, join(dir, 'cert.pem'));
  copyFileSync(keyFile, join(dir, 'key.pem'));
  chmodSync(join(dir, 'key.pem'), 0o600);
  return { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
}
