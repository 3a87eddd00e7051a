import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoint, Finding, ScanCheck } from '../../src/scan/types.ts';
import { verboseErrors } from '../../src/scan/checks/verbose-errors.ts';
import { corsReflection } from '../../src/scan/checks/cors.ts';
import { securityHeaders } from '../../src/scan/checks/security-headers.ts';
import { transportSecurity } from '../../src/scan/checks/transport.ts';
import { secretsInResponses } from '../../src/scan/checks/secrets-in-responses.ts';
import { bindingExposure } from '../../src/scan/checks/binding-exposure.ts';
import { testContext, testProber } from '../../src/scan/checks/check-kit.test-helper.ts';
import { startVulnerableApi, type VulnerableApi } from '../fixtures/vulnerable-api.ts';

type OpenApi = { paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: 'query' | 'path'; example?: string }>; requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } }>> };

/** The inventory recon would build from the fixture's OpenAPI document (recon itself is tested elsewhere). */
function inventoryOf(doc: OpenApi): Endpoint[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      params: [
        ...(op.parameters ?? []).map((p) => ({ name: p.name, in: p.in, ...(p.example ? { example: p.example } : {}) })),
        ...Object.keys(op.requestBody?.content['application/json']?.schema.properties ?? {}).map((name) => ({ name, in: 'body' as const })),
      ],
      source: 'openapi' as const,
    })),
  );
}

// The six checks against the deliberately vulnerable fixture: each vulnerability is reported with its severity.
describe('response/transport checks against the vulnerable fixture API', () => {
  let api: VulnerableApi;
  let inventory: Endpoint[];
  const run = async (check: ScanCheck): Promise<{ findings: Finding[]; sent: number }> => {
    const probe = testProber(new URL(api.url));
    const findings = await check.run(testContext(api.url, { inventory, probe }));
    return { findings, sent: probe.sent };
  };
  const summary = (findings: Finding[]) => findings.map((f) => `${f.rule}:${f.severity}`).sort();
  before(async () => {
    api = await startVulnerableApi();
    inventory = inventoryOf((await (await fetch(`${api.url}/api/openapi.json`)).json()) as OpenApi);
  });
  after(() => api.close());

  it('verbose errors: stack traces plus SQL text → high', async () => {
    const { findings } = await run(verboseErrors);
    assert.deepEqual(summary(findings), ['verbose-errors:high']);
    assert.match(findings[0]!.title, /SQL error text \(SQLite\).*SQL query text.*Node\.js stack trace/);
    assert.equal(findings[0]!.endpoint, 'GET /api/search');
  });

  it('CORS: reflected origin with credentials → high', async () => {
    assert.deepEqual(summary((await run(corsReflection)).findings), ['cors/credentialed-reflection:high']);
  });

  it('security headers: one low finding per missing protection', async () => {
    assert.deepEqual(summary((await run(securityHeaders)).findings), [
      'security-headers/cache-control:low', 'security-headers/csp:low', 'security-headers/frame-options:low', 'security-headers/nosniff:low', 'security-headers/version-disclosure:low',
    ]);
  });

  it('transport: plain HTTP on loopback → info only', async () => {
    assert.deepEqual(summary((await run(transportSecurity)).findings), ['transport/plain-http-loopback:info']);
  });

  it('secrets: config (cloud key) critical; keys, users and logs high — all redacted', async () => {
    const { findings, sent } = await run(secretsInResponses);
    assert.deepEqual(findings.map((f) => `${f.endpoint}:${f.severity}`), ['GET /api/users:high', 'GET /api/users/{id}:high', 'GET /api/keys:high', 'GET /api/logs:high', 'GET /api/config:critical']);
    assert.equal(sent, inventory.filter((e) => e.method === 'GET').length);
    assert.doesNotMatch(JSON.stringify(findings), /sk-fixture-ci-4f9a|IOSFODNN7|Sup3rS3cret|\$2b\$12\$fake/);
  });

  it('binding exposure: bound to 0.0.0.0 → high', async () => {
    assert.deepEqual(summary((await run(bindingExposure)).findings), ['binding-exposure:high']);
  });
});
