import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointsFromDocument, parseApiDocument } from './openapi.ts';

const V3_YAML = `
openapi: 3.0.3
info: { title: t, version: '1' }
servers:
  - url: https://api.example.com/v1/
paths:
  /agents/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: integer } }
    get:
      parameters:
        - { name: verbose, in: query, schema: { type: boolean } }
        - { name: X-Trace, in: header, schema: { type: string } }
    delete: {}
  /tasks:
    post:
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/NewTask' }
  /search:
    get:
      parameters:
        - $ref: '#/components/parameters/Query'
components:
  parameters:
    Query: { name: query, in: query, schema: { type: string }, example: agent }
  schemas:
    NewTask:
      allOf:
        - { $ref: '#/components/schemas/Base' }
        - properties: { title: { type: string, example: 'write report' }, due: { type: string, format: date } }
    Base:
      properties: { agent_id: { type: integer } }
`;

test('OpenAPI 3 (YAML): operations, path/query/body params, $refs, allOf, examples, server base path', () => {
  const doc = parseApiDocument(V3_YAML);
  assert.ok(doc);
  assert.deepEqual(endpointsFromDocument(doc), [
    { method: 'GET', path: '/v1/agents/{id}', source: 'openapi', params: [{ name: 'id', in: 'path', example: '1' }, { name: 'verbose', in: 'query', example: 'true' }] },
    { method: 'DELETE', path: '/v1/agents/{id}', source: 'openapi', params: [{ name: 'id', in: 'path', example: '1' }] },
    { method: 'POST', path: '/v1/tasks', source: 'openapi', params: [{ name: 'agent_id', in: 'body', example: '1' }, { name: 'title', in: 'body', example: 'write report' }, { name: 'due', in: 'body', example: '2025-01-01' }] },
    { method: 'GET', path: '/v1/search', source: 'openapi', params: [{ name: 'query', in: 'query', example: 'agent' }] },
  ]);
});

test('Swagger 2 (JSON): basePath, body and formData parameters, x-example, enum', () => {
  const doc = parseApiDocument(JSON.stringify({
    swagger: '2.0', basePath: '/api',
    paths: {
      '/items': {
        get: { parameters: [{ name: 'sort', in: 'query', type: 'string', enum: ['asc', 'desc'] }, { name: 'limit', in: 'query', type: 'integer', 'x-example': 5 }] },
        post: { parameters: [{ name: 'body', in: 'body', schema: { properties: { name: { type: 'string' } } } }] },
      },
      '/upload': { post: { parameters: [{ name: 'file', in: 'formData', type: 'string' }] } },
    },
  }));
  assert.ok(doc);
  assert.deepEqual(endpointsFromDocument(doc).map((e) => [e.method, e.path, e.params.map((p) => `${p.in}:${p.name}=${p.example}`)]), [
    ['GET', '/api/items', ['query:sort=asc', 'query:limit=5']],
    ['POST', '/api/items', ['body:name=test']],
    ['POST', '/api/upload', ['body:file=test']],
  ]);
});

test('anything that is not an API document is refused', () => {
  for (const text of ['', '<!DOCTYPE html><html></html>', '{"error":"not found"}', '{"openapi":"3.0.0"}', 'openapi: 3.1.0\npaths: [1]', '{"openapi":"3.0.0","paths":', 'swagger: "1.2"\npaths: {}']) {
    assert.equal(parseApiDocument(text), undefined, text);
  }
});

test('a YAML alias bomb is refused, not expanded', () => {
  const bomb = ['openapi: 3.0.0', 'a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`), 'paths: {}'].join('\n');
  assert.equal(parseApiDocument(bomb), undefined);
});

test('cyclic and remote $refs do not hang or escape the document', () => {
  const doc = parseApiDocument(JSON.stringify({
    openapi: '3.1.0',
    paths: { '/a': { get: { parameters: [{ $ref: '#/x' }, { $ref: 'https://evil.example/p.json' }] } } },
    x: { $ref: '#/y' }, y: { $ref: '#/x' },
  }));
  assert.ok(doc);
  assert.deepEqual(endpointsFromDocument(doc), [{ method: 'GET', path: '/a', params: [], source: 'openapi' }]);
});
