import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import { loadConfig, parseConfig } from './load-config.ts';
import { checkExposure, isLoopback } from './exposure.ts';
import { renderConfigDocs } from './config-docs.ts';

function issuesOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.issues;
  }
  assert.fail('expected a ConfigError');
}

describe('config', () => {
  it('defaults are safe: loopback binds, strict store, no routes', () => {
    const c = parseConfig({});
    assert.equal(c.server.listen.host, '127.0.0.1');
    assert.equal(c.server.listen.port, 8080);
    assert.equal(c.admin.listen.port, 8081);
    assert.equal(c.store.url, 'sqlite:./.gatehouse/gatehouse.db');
    assert.deepEqual(c.routes, []);
    assert.ok(Object.isFrozen(c.server.listen));
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['unknown top-level key', { bogus: 1 }, /^bogus: unknown key$/],
    ['unknown nested key', { routes: [{ id: 'a', path: '/a', upstream: 'http://127.0.0.1:1', extra: true }] }, /^routes\[0\]\.extra: unknown key$/],
    ['bad upstream', { routes: [{ id: 'a', path: '/a', upstream: 'ftp://x' }] }, /^routes\[0\]\.upstream: /],
    ['bad path', { routes: [{ id: 'a', path: 'a', upstream: 'http://x' }] }, /^routes\[0\]\.path: must start with "\/"/],
    ['bad auth mode', { routes: [{ id: 'a', path: '/a', upstream: 'http://x', auth: 'optional' }] }, /^routes\[0\]\.auth: /],
    ['duplicate route ids', { routes: [{ id: 'a', path: '/a', upstream: 'http://x' }, { id: 'a', path: '/b', upstream: 'http://x' }] }, /^routes\[1\]\.id: duplicate route id/],
    ['port type', { server: { listen: { port: 'x' } } }, /^server\.listen\.port: /],
    ['store scheme', { store: { url: 'mysql://x' } }, /^store\.url: must start with sqlite: or postgres/],
    ['rule on unknown route', { policies: { rules: [{ id: 'r', methods: ['GET'], paths: ['/a'], routes: ['nope'] }] } }, /^policies\.rules\[0\]\.routes\[0\]: unknown route id/],
    ['bad method', { policies: { rules: [{ id: 'r', methods: ['BREW'], paths: ['/a'] }] } }, /^policies\.rules\[0\]\.methods\[0\]: /],
  ];
  for (const [name, input, expected] of bad) {
    it(`rejects ${name}, naming the path`, () => {
      const issues = issuesOf(() => parseConfig(input));
      assert.ok(issues.some((i) => expected.test(i)), issues.join('\n'));
    });
  }

  it('env overrides connection strings without touching the YAML', () => {
    const c = parseConfig({}, { GATEHOUSE_STORE_URL: 'postgres://postgres@127.0.0.1/test', GATEHOUSE_REDIS_URL: 'redis://127.0.0.1:6379' });
    assert.equal(c.store.url, 'postgres://postgres@127.0.0.1/test');
    assert.equal(c.redis.url, 'redis://127.0.0.1:6379');
  });

  it('reports YAML syntax errors and duplicate keys with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-cfg-'));
    const file = join(dir, 'gatehouse.yaml');
    writeFileSync(file, 'server:\n  listen:\n    port: 1\n  listen:\n    port: 2\n');
    assert.match(issuesOf(() => loadConfig({ file }))[0]!, /YAML syntax error/);
    assert.match(issuesOf(() => loadConfig({ file: join(dir, 'missing.yaml') }))[0]!, /cannot read config file \(ENOENT\)/);
  });

  it('refuses a non-loopback bind without TLS unless explicitly overridden (with a warning)', () => {
    assert.equal(isLoopback('127.0.0.2'), true);
    assert.equal(isLoopback('::1'), true);
    assert.equal(isLoopback('0.0.0.0'), false);
    const open = parseConfig({ server: { listen: { host: '0.0.0.0' } } }).server.listen;
    assert.match(issuesOf(() => checkExposure(open, 'server.listen'))[0]!, /^server\.listen\.host: binding 0\.0\.0\.0/);
    const forced = parseConfig({ server: { listen: { host: '0.0.0.0', insecurePublic: true } } }).server.listen;
    assert.match(checkExposure(forced, 'server.listen').warnings[0]!, /INSECURE/);
    const tls = parseConfig({ server: { listen: { host: '0.0.0.0', tls: { cert: 'c.pem', key: 'k.pem' } } } }).server.listen;
    assert.deepEqual(checkExposure(tls, 'server.listen').warnings, []);
  });

  it('docs/configuration.md is generated from the schema and up to date (npm run docs:config)', () => {
    const onDisk = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    assert.equal(onDisk, renderConfigDocs());
  });
});
