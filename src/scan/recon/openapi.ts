import { parse as parseYaml } from 'yaml';
import type { Endpoint, ParamLocation } from '../types.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const MAX_PARAMS = 50;

/**
 * Parses an OpenAPI 3.x or Swagger 2.0 document, JSON or YAML. Returns undefined for anything else
 * (an HTML page, an error body, a truncated document). YAML aliases are capped: the document comes
 * from the target, and alias expansion is a classic memory bomb.
 */
export function parseApiDocument(text: string): Json | undefined {
  const trimmed = text.trimStart();
  if (trimmed === '' || trimmed.startsWith('<')) return undefined;
  let doc: unknown;
  try {
    doc = trimmed.startsWith('{') ? JSON.parse(trimmed) : parseYaml(trimmed, { maxAliasCount: 100, prettyErrors: false, uniqueKeys: false });
  } catch {
    return undefined;
  }
  if (!isObject(doc) || !isObject(doc.paths)) return undefined;
  const v3 = typeof doc.openapi === 'string' && doc.openapi.startsWith('3');
  const v2 = doc.swagger === '2.0' || doc.swagger === 2;
  return v3 || v2 ? doc : undefined;
}

/** The path prefix every documented path lives under (`servers[0].url` or Swagger 2 `basePath`). */
function basePath(doc: Json): string {
  let raw: unknown = doc.basePath;
  if (Array.isArray(doc.servers) && isObject(doc.servers[0])) raw = doc.servers[0].url;
  if (typeof raw !== 'string') return '';
  // Server URLs may be templated (`{scheme}://host/{version}`) or relative; only the path matters.
  const path = URL.canParse(raw, 'http://x') ? new URL(raw.replace(/\{[^}]*\}/g, 'x'), 'http://x').pathname : '';
  return decodeURI(path).replace(/\/+$/, '');
}

/** Resolves a local `$ref` (`#/components/schemas/Task`); remote refs and cycles end in undefined. */
function deref(doc: Json, node: unknown, depth = 0): Json | undefined {
  if (!isObject(node)) return undefined;
  if (typeof node.$ref !== 'string') return node;
  if (depth > 8 || !node.$ref.startsWith('#/')) return undefined;
  let cur: unknown = doc;
  for (const part of node.$ref.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = isObject(cur) && Object.hasOwn(cur, key) ? cur[key] : undefined;
  }
  return deref(doc, cur, depth + 1);
}

function scalar(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

/** A value the endpoint should accept: the document's own example if it has one, else one by type. */
export function exampleFor(param: Json, schema: Json | undefined): string {
  const examples = isObject(param.examples) ? Object.values(param.examples).find(isObject) : undefined;
  const documented = [param.example, schema?.example, examples?.value, param['x-example'], schema?.default, param.default, Array.isArray(schema?.enum) ? schema.enum[0] : undefined, Array.isArray(param.enum) ? param.enum[0] : undefined];
  for (const v of documented) {
    const s = scalar(v);
    if (s !== undefined) return s;
  }
  const type = schema?.type ?? param.type;
  const format = schema?.format ?? param.format;
  if (type === 'integer' || type === 'number') return '1';
  if (type === 'boolean') return 'true';
  if (format === 'uuid') return '00000000-0000-4000-8000-000000000001';
  if (format === 'date-time') return '2025-01-01T00:00:00Z';
  if (format === 'date') return '2025-01-01';
  if (format === 'email') return 'test@example.com';
  return 'test';
}

function bodyParams(doc: Json, schemaNode: unknown, out: Endpoint['params']): void {
  const schema = deref(doc, schemaNode);
  if (!schema) return;
  for (const part of Array.isArray(schema.allOf) ? schema.allOf : []) bodyParams(doc, part, out);
  if (!isObject(schema.properties)) return;
  for (const [name, prop] of Object.entries(schema.properties)) {
    const p = deref(doc, prop) ?? {};
    if (out.length < MAX_PARAMS && !out.some((x) => x.in === 'body' && x.name === name)) out.push({ name, in: 'body', example: exampleFor(p, p) });
  }
}

function paramsOf(doc: Json, pathItem: Json, op: Json): Endpoint['params'] {
  const out: Endpoint['params'] = [];
  const declared = [...(Array.isArray(pathItem.parameters) ? pathItem.parameters : []), ...(Array.isArray(op.parameters) ? op.parameters : [])];
  for (const raw of declared) {
    const p = deref(doc, raw);
    if (!p || typeof p.name !== 'string') continue;
    if (p.in === 'body') {
      bodyParams(doc, p.schema, out);
      continue;
    }
    const where: ParamLocation | undefined = p.in === 'query' ? 'query' : p.in === 'path' ? 'path' : p.in === 'formData' ? 'body' : undefined;
    if (!where) continue; // header and cookie parameters have no place in the inventory
    const existing = out.findIndex((x) => x.in === where && x.name === p.name);
    const entry = { name: p.name, in: where, example: exampleFor(p, deref(doc, p.schema)) };
    // An operation-level parameter overrides the path-level one of the same name and location.
    if (existing >= 0) out[existing] = entry;
    else if (out.length < MAX_PARAMS) out.push(entry);
  }
  const body = deref(doc, op.requestBody);
  if (body && isObject(body.content)) {
    const type = Object.keys(body.content).find((t) => /json|x-www-form-urlencoded|multipart/i.test(t));
    const media = type === undefined ? undefined : body.content[type];
    if (isObject(media)) bodyParams(doc, media.schema, out);
  }
  return out;
}

/** Every operation of a parsed document as an inventory entry (path template with the base path). */
export function endpointsFromDocument(doc: Json): Endpoint[] {
  const prefix = basePath(doc);
  const endpoints: Endpoint[] = [];
  for (const [path, rawItem] of Object.entries(doc.paths as Json)) {
    const item = deref(doc, rawItem);
    if (!item || !path.startsWith('/')) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      endpoints.push({ method: method.toUpperCase(), path: `${prefix}${path}`, params: paramsOf(doc, item, op), source: 'openapi' });
    }
  }
  return endpoints;
}
