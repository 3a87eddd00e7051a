import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../config/load-config.ts';
import { patternsOverlap, routeVerdicts } from './routes.ts';

const U = 'http://127.0.0.1:9000';

describe('patternsOverlap (a route pattern against a policy path)', () => {
  const rows: Array<[string, string, boolean]> = [
    ['/api/*', '/api/*', true],
    ['/api/*', '/api/agents', true],
    ['/api/agents', '/api/*', true],
    ['/api/*', '/apiv2/*', false],
    ['/api/*', '/*', true],
    ['/healthz', '/healthz', true],
    ['/healthz', '/healthz/x', false],
    ['/files/*', '/files/{agent}/*', true],
    ['/files/{agent}/*', '/other/*', false],
    ['/api', '/api/*', true], // "/api/*" also matches "/api"
  ];
  for (const [a, b, expected] of rows) it(`${a} ~ ${b} → ${expected}`, () => assert.equal(patternsOverlap(a, b), expected));
});

describe('routeVerdicts', () => {
  const verdicts = (input: Record<string, unknown>) => routeVerdicts(parseConfig(input)).map((r) => `${r.status} ${r.message}`);

  it('strict routes covered by a permit rule pass; a public route is named as public by choice', () => {
    assert.deepEqual(verdicts({
      routes: [{ id: 'api', path: '/api/*', upstream: U }, { id: 'health', path: '/healthz', upstream: U, auth: 'public' }],
      policies: { rules: [{ id: 'r', methods: ['GET'], paths: ['/api/agents'] }] },
    }), ['pass the strict route requires a credential (api)', 'warn route "health" is public by choice']);
  });

  it('a strict route no permit rule reaches (forbid rules, rules limited to other routes) is dead', () => {
    assert.deepEqual(verdicts({
      routes: [{ id: 'api', path: '/api/*', upstream: U }, { id: 'b', path: '/b/*', upstream: U }],
      policies: { rules: [
        { id: 'no', effect: 'forbid', methods: ['*'], paths: ['/api/*'] },
        { id: 'other', methods: ['GET'], paths: ['/*'], routes: ['b'] },
      ] },
    }), ['pass all 2 strict routes require a credential (api, b)', 'warn no policy permits route "api" (/api/*): every request to it is denied']);
  });

  it('with Cedar files the doctor says it did not analyse them instead of calling the route dead', () => {
    const cfg = parseConfig({ routes: [{ id: 'api', path: '/api/*', upstream: U }] });
    const withFiles = { ...cfg, policies: { ...cfg.policies, files: ['extra.cedar'] } };
    assert.match(routeVerdicts(withFiles)[1]!.message, /policies\.files may \(Cedar files are not analysed\)$/);
  });

  it('plain HTTP to an upstream on another machine warns; no routes at all warns', () => {
    assert.ok(verdicts({ routes: [{ id: 'api', path: '/api/*', upstream: 'http://10.0.0.3:8080', auth: 'public' }] })
      .includes('warn route "api" forwards to http://10.0.0.3:8080 over plain HTTP'));
    assert.deepEqual(verdicts({}), ['warn no routes are configured: the data plane forwards nothing']);
  });
});
