import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointsFromPage, isDocsPage, specUrlsFromConfig, specUrlsFromPage } from './docs-page.ts';

const PAGE = new URL('http://127.0.0.1:8080/api/docs');

test('Swagger UI, ReDoc and RapiDoc pages are recognised and their same-origin spec URLs found', () => {
  const swagger = `<!DOCTYPE html><html><head><link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5/swagger-ui.css"></head>
<body><div id="swagger-ui"></div><script src="https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: 'openapi.json', urls: [{ url: "/v2/spec.yaml", name: "v2" }, { url: "https://other.example/x.json" }], dom_id: '#swagger-ui' });</script></body></html>`;
  assert.ok(isDocsPage(swagger));
  assert.deepEqual(specUrlsFromPage(swagger, PAGE), ['/api/openapi.json', '/v2/spec.yaml']);
  const redoc = '<html><body><redoc spec-url="/openapi.yaml?v=2&amp;x=1"></redoc></body></html>';
  assert.ok(isDocsPage(redoc));
  assert.deepEqual(specUrlsFromPage(redoc, PAGE), ['/openapi.yaml?v=2&x=1']);
  assert.deepEqual(specUrlsFromPage('<html><script>Redoc.init("/r.json", {}, el)</script></html>', PAGE), ['/r.json']);
  assert.deepEqual(specUrlsFromPage('<html><rapi-doc spec-url = "./spec.json"></rapi-doc></html>', PAGE), ['/api/spec.json']);
});

test('ordinary pages and JSON are not docs pages', () => {
  assert.equal(isDocsPage('<html><body>Welcome</body></html>'), false);
  assert.equal(isDocsPage('{"swagger-ui": true}'), false);
});

test("endpoints listed in a page's own text are the fallback inventory", () => {
  const html = '<ul><li><a href="/health">GET /health</a> — Liveness</li><li><code>POST /api/agents/{id}/run</code> — params: id (path)</li><li><code>GET /health</code></li></ul>';
  assert.deepEqual(endpointsFromPage(html), [
    { method: 'GET', path: '/health', params: [], source: 'docs-page' },
    { method: 'POST', path: '/api/agents/{id}/run', params: [{ name: 'id', in: 'path', example: '1' }], source: 'docs-page' },
  ]);
});

test('swagger-config documents name further specs (same origin only)', () => {
  assert.deepEqual(specUrlsFromConfig({ url: '/a.json', urls: [{ url: 'b.json' }, { url: 'http://evil.example/c.json' }, null] }, PAGE), ['/a.json', '/api/b.json']);
  assert.deepEqual(specUrlsFromConfig('nope', PAGE), []);
});
