import { z } from 'zod';
import { configSchema } from './schema.ts';

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  pattern?: string;
}

/** Renders the configuration reference (docs/configuration.md) from the schema: one row per setting. */
export function renderConfigDocs(): string {
  const root = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const rows: string[] = [];
  walk(root, '', rows);
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs:config`; do not edit by hand. -->',
    '',
    '`gatehouse.yaml` is validated strictly: an unknown key or a bad value stops startup (and a reload) with an',
    'error that names its path, e.g. `routes[0].upstream: Invalid URL`. Every setting below has a safe default.',
    'Secrets never need to be in the file: `GATEHOUSE_SERVER_SECRET`, `GATEHOUSE_STORE_URL` and `GATEHOUSE_REDIS_URL`',
    'override it from the environment.',
    '',
    '| setting | type | default | description |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

function walk(s: JsonSchema, path: string, rows: string[]): void {
  const node = s.anyOf?.find((x) => x.type !== 'null') ?? s;
  if (node.properties) {
    if (path) rows.push(row(path, 'object', s, node));
    for (const [k, v] of Object.entries(node.properties)) walk(v, path ? `${path}.${k}` : k, rows);
    return;
  }
  if (node.type === 'array' && node.items?.properties) {
    rows.push(row(path, 'list', s, node));
    walk(node.items, `${path}[]`, rows);
    return;
  }
  rows.push(row(path, typeName(node), s, node));
}

function row(path: string, type: string, outer: JsonSchema, node: JsonSchema): string {
  const def = outer.default ?? node.default;
  const shown = def === undefined || (typeof def === 'object' && def !== null && Object.keys(def).length === 0 && !Array.isArray(def)) ? '' : `\`${JSON.stringify(def)}\``;
  const desc = (outer.description ?? node.description ?? '').replace(/\|/g, '\\|');
  return `| \`${path}\` | ${type} | ${shown} | ${desc} |`;
}

function typeName(s: JsonSchema): string {
  if (s.enum) return s.enum.map((e) => `\`${String(e)}\``).join(' \\| ');
  if (s.type === 'array') return `list of ${s.items ? typeName(s.items) : 'any'}`;
  if (s.additionalProperties && typeof s.additionalProperties === 'object') return `map of ${typeName(s.additionalProperties)}`;
  return Array.isArray(s.type) ? s.type.join(' \\| ') : (s.type ?? 'any');
}
