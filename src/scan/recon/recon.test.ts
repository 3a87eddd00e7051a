import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpProber } from '../probe.ts';
import { ScanTimeline } from '../timeline.ts';
import type { ScanOptions } from '../types.ts';
import { runRecon } from './recon.ts';

const SPEC = `openapi: 3.0.3
info: { title: test, version: '1' }
paths:
  /api/agents/{id}:
    get:
      parameters: [{ name: id, in: path, required: true, schema: { type: integer }, example: 7 }]
  /api/search:
    get:
      parameters: [{ name: query, in: query, schema: { type: string }, example: agent }]
  /api/tasks:
    post:
      requestBody: { content: { application/json: { schema: { properties: { title: { type: string } } } } } }
`;
const PAGE = `<!DOCTYPE html><html><head><title>Swagger UI</title></head><body><div id="swagger-ui"></div>
<script>SwaggerUIBundle({ url: "/api/spec.yaml", dom_id: '#swagger-ui' })</script></body></html>`;

let server: Server;
let base: string;
const seen: Array<{ method: string; url: string; auth: string | undefined }> = [];

before(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization });
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const path = req.url!.split('?')[0];
    if (path === '/api/docs') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    if (path === '/api/spec.yaml') return void res.writeHead(200, { 'content-type': 'application/yaml' }).end(SPEC);
    if (path === '/docs') return void res.writeHead(302, { location: '/api/docs' }).end();
    // Documentation that needs credentials: not "exposed".
    if (path === '/openapi.json') return req.headers.authorization ? json(200, { openapi: '3.0.0', paths: { '/private/report': { get: {} } } }) : json(401, { error: 'unauthorized' });
    if (path === '/api/agents') return json(200, { items: [{ id: 7 }], links: { runs: '/api/runs/latest', self: `${base}/api/agents` } });
    if (path === '/api/runs/latest') return json(200, { id: 1 });
    if (path === '/api/keys') return json(405, { error: 'method not allowed' }, { allow: 'POST, DELETE' });
    if (path === '/robots.txt') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /internal-admin\n');
    if (path === '/internal-admin') return json(403, { error: 'forbidden' });
    if (path === '/.env') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('DATABASE_URL=postgres://u:pw@db/x\nSECRET_KEY=abc\n');
    if (path === '/health') return json(200, { status: 'ok' });
    json(404, { error: 'not found', path });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

function options(headers: Record<string, string> = {}, maxRequests = 1000): ScanOptions {
  return { target: new URL(base), headers, allowWrites: false, maxRequests, rate: 1000, timeoutMs: 5000, maxDelaySeconds: 3 };
}

async function recon(opts: ScanOptions, document?: { source: string; text: string }) {
  const probe = new HttpProber({ base: opts.target, headers: opts.headers, maxRequests: opts.maxRequests, rate: opts.rate, timeoutMs: opts.timeoutMs });
  const timeline = new ScanTimeline(undefined);
  try {
    return { result: await runRecon({ probe, options: opts, timeline, ...(document ? { document } : {}) }), timeline, sent: probe.sent };
  } finally {
    await probe.close();
  }
}

describe('recon', () => {
  test('finds the Swagger UI page, follows it to the YAML spec, and builds the inventory', async () => {
    const { result, timeline } = await recon(options());
    const inventory = result.endpoints.map((e) => `${e.method} ${e.path} ${e.source} ${e.params.map((p) => `${p.in}:${p.name}=${p.example}`).join(',')}`.trim());
    assert.deepEqual(inventory, [
      'GET /.env wordlist',
      'GET /api/agents wordlist',
      'GET /api/agents/{id} openapi path:id=7',
      'DELETE /api/keys wordlist',
      'POST /api/keys wordlist',
      'GET /api/runs/latest link',
      'GET /api/search openapi query:query=agent',
      'POST /api/tasks openapi body:title=test',
      'GET /health wordlist',
      'GET /internal-admin link',
    ]);
    const messages = timeline.events.map((e) => e.message);
    assert.ok(messages.includes('Discovered exposed API documentation at /api/docs (3 operations)'));
    assert.ok(messages.includes('Discovered exposed API documentation at /api/spec.yaml') === false); // not a default location: found through the page
    // /docs redirects to /api/docs: the same document, reported once.
    assert.equal(messages.filter((m) => m.startsWith('Discovered exposed API documentation')).length, 1);
    assert.equal(messages.at(-1), 'Identified 10 API endpoints');
  });

  test('reports exposed documentation (medium) and an exposed .env (high), with redacted evidence', async () => {
    const { result } = await recon(options());
    const docs = result.findings.find((f) => f.rule === 'exposed-api-docs');
    assert.equal(docs?.severity, 'medium');
    assert.equal(docs?.endpoint, 'GET /api/docs');
    assert.match(docs!.remediation, /routes\[\]\.auth: strict/);
    const env = result.findings.find((f) => f.rule === 'exposed-env-file');
    assert.equal(env?.severity, 'high');
    assert.ok(!JSON.stringify(env).includes('abc\\n') && !JSON.stringify(env).includes(':pw@'));
    // Documentation that answered 401 without credentials is not reported as exposed.
    assert.ok(!docs!.evidence.some((e) => e.request.includes('/openapi.json')));
  });

  test('documentation is looked for without the operator\'s credentials; protected docs are still read with them', async () => {
    const start = seen.length;
    const { result, timeline } = await recon(options({ Authorization: 'Bearer op-token-123' }));
    const docRequests = seen.slice(start).filter((s) => s.url === '/api/docs' || s.url === '/api/spec.yaml');
    assert.ok(docRequests.length >= 2);
    assert.ok(docRequests.every((s) => s.auth === undefined));
    assert.ok(result.endpoints.some((e) => e.path === '/private/report'));
    assert.ok(timeline.events.some((e) => e.message === 'Read API documentation at /openapi.json with the supplied credentials (1 operation)'));
    assert.ok(seen.slice(start).some((s) => s.url === '/api/agents' && s.auth === 'Bearer op-token-123'));
  });

  test('a supplied document is loaded first; an invalid one is an error', async () => {
    const { result, timeline } = await recon(options(), { source: 'spec.json', text: JSON.stringify({ swagger: '2.0', paths: { '/api/special': { put: {} } } }) });
    assert.ok(result.endpoints.some((e) => e.method === 'PUT' && e.path === '/api/special' && e.source === 'openapi'));
    assert.equal(timeline.events[0]!.message, 'Loaded 1 operation from spec.json');
    await assert.rejects(recon(options(), { source: 'x.json', text: '{}' }), /not an OpenAPI 3 or Swagger 2 document/);
  });

  test('a small budget stops recon early with what it has', async () => {
    const { result, sent } = await recon(options({}, 5));
    assert.equal(sent, 5);
    assert.equal(result.stopped?.name, 'BudgetExhausted');
  });
});
