import { z } from 'zod';
import { ADMIN_API, type Operation } from './admin-api.ts';
import { problemModel } from './api-models.ts';

type JsonSchema = Record<string, unknown>;

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) for one zod schema, without the per-schema `$schema` key. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parameters(op: Operation): JsonSchema[] {
  const inPath = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  const query = jsonSchema(op.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  const inQuery = Object.entries(query.properties ?? {}).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return { name, in: 'query', required: (query.required ?? []).includes(name), schema: rest, ...(description ? { description } : {}) };
  });
  return [...inPath, ...inQuery];
}

const PROBLEM = { description: 'An RFC 9457 problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };

function operation(name: string, op: Operation): JsonSchema {
  const content = op.response === 'text'
    ? { 'text/plain': { schema: { type: 'string' } } }
    : { 'application/json': { schema: jsonSchema(op.response, 'output') } };
  return {
    operationId: name,
    summary: op.summary,
    ...(op.public ? { security: [] } : {}),
    parameters: parameters(op),
    ...(op.body ? { requestBody: { required: false, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } } } : {}),
    responses: { [String(op.status ?? 200)]: { description: 'Success', content }, default: PROBLEM },
  };
}

/** The OpenAPI 3.1 document of the admin API, generated from ADMIN_API (served to authenticated admins only). */
export function buildOpenApi(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const [name, op] of Object.entries(ADMIN_API) as [string, Operation][]) {
    (paths[op.path] ??= {})[op.method.toLowerCase()] = operation(name, op);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Gatehouse admin API', version: '1.0.0', description: 'Manage agents, API keys, policies, the audit log and the token service (client secrets, agent keys, trusted issuers, signing keys, token revocation). Every operation except the health probes needs the admin token.' },
    security: [{ adminToken: [] }],
    paths,
    components: {
      securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'The admin token (gta_…); see `gatehouse admin-token reset`.' } },
      schemas: { Problem: jsonSchema(problemModel, 'output') },
    },
  };
}
