import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import { configSchema, type Config } from './schema.ts';

/** A loaded configuration: frozen, with the directory relative paths resolve against. */
export interface LoadedConfig {
  config: Readonly<Config>;
  /** The file it came from, or undefined for built-in defaults. */
  file: string | undefined;
  baseDir: string;
}

export const DEFAULT_CONFIG_FILE = 'gatehouse.yaml';

/** Env overrides: secrets and connection strings never need to live in the YAML. */
const ENV_OVERRIDES: ReadonlyArray<[string, (raw: Record<string, unknown>, v: string) => void]> = [
  ['GATEHOUSE_STORE_URL', (raw, v) => { raw.store = { ...(raw.store as object | undefined), url: v }; }],
  ['GATEHOUSE_REDIS_URL', (raw, v) => { raw.redis = { ...(raw.redis as object | undefined), url: v }; }],
];

/** Formats zod issues as `routes[2].upstream: expected URL` lines. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)), '');
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `${path ? `${path}.` : ''}${k}: unknown key`).join('\n  ');
    return `${path || '(root)'}: ${issue.message}`;
  });
}

/** parse → normalize → validate → freeze. Throws ConfigError naming every bad path. */
export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = {}): Readonly<Config> {
  const input: Record<string, unknown> = raw === null || raw === undefined ? {} : (raw as Record<string, unknown>);
  if (typeof input !== 'object' || Array.isArray(input)) throw new ConfigError(['(root): expected a mapping of settings']);
  const withEnv = { ...input };
  for (const [name, apply] of ENV_OVERRIDES) {
    const v = env[name];
    if (v !== undefined && v !== '') apply(withEnv, v);
  }
  const result = configSchema.safeParse(withEnv);
  if (!result.success) throw new ConfigError(formatIssues(result.error.issues));
  const cfg = result.data;
  const problems = crossCheck(cfg);
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(cfg);
}

/** Reads a YAML file (or the built-in defaults when `file` is undefined). */
export function loadConfig(opts: { file?: string; cwd?: string; env?: NodeJS.ProcessEnv; requireFile?: boolean } = {}): LoadedConfig {
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  const candidate = opts.file ?? env.GATEHOUSE_CONFIG ?? (existsSync(resolve(cwd, DEFAULT_CONFIG_FILE)) ? DEFAULT_CONFIG_FILE : undefined);
  if (candidate === undefined) return { config: parseConfig({}, env), file: undefined, baseDir: cwd };
  const file = resolve(cwd, candidate);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`${candidate}: cannot read config file (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true, maxAliasCount: 50 });
  } catch (err) {
    const msg = err instanceof YAMLParseError ? err.message.split('\n')[0] : String(err);
    throw new ConfigError([`${candidate}: YAML syntax error: ${msg}`]);
  }
  return { config: parseConfig(raw, env), file, baseDir: dirname(file) };
}

/** Rules that span fields (the schema checks one field at a time). */
function crossCheck(cfg: Config): string[] {
  const problems: string[] = [];
  const resources = new Map<string, number>();
  cfg.oauth.resources.forEach((r, i) => {
    const prev = resources.get(r.uri);
    if (prev !== undefined) problems.push(`oauth.resources[${i}].uri: duplicate resource "${r.uri}" (also oauth.resources[${prev}])`);
    resources.set(r.uri, i);
  });
  if (cfg.oauth.defaultResource !== undefined && !resources.has(cfg.oauth.defaultResource)) problems.push(`oauth.defaultResource: "${cfg.oauth.defaultResource}" is not listed in oauth.resources`);
  const seen = new Map<string, number>();
  cfg.routes.forEach((r, i) => {
    const prev = seen.get(r.id);
    if (prev !== undefined) problems.push(`routes[${i}].id: duplicate route id "${r.id}" (also routes[${prev}])`);
    seen.set(r.id, i);
    if (r.stripPrefix !== undefined && !r.path.startsWith(r.stripPrefix)) problems.push(`routes[${i}].stripPrefix: must be a prefix of path "${r.path}"`);
    if (r.resource !== undefined && !resources.has(r.resource)) problems.push(`routes[${i}].resource: "${r.resource}" is not listed in oauth.resources`);
    if (r.accept?.includes('jwt') && r.resource === undefined) problems.push(`routes[${i}].accept: jwt needs routes[${i}].resource (the audience tokens must carry)`);
    if (r.auth === 'public' && (r.accept !== undefined || r.passCallerToken)) problems.push(`routes[${i}].auth: a public route takes no credentials; remove accept/passCallerToken`);
  });
  const ruleIds = new Map<string, number>();
  cfg.policies.rules.forEach((rule, i) => {
    const prev = ruleIds.get(rule.id);
    if (prev !== undefined) problems.push(`policies.rules[${i}].id: duplicate policy id "${rule.id}" (also policies.rules[${prev}])`);
    ruleIds.set(rule.id, i);
    (rule.routes ?? []).forEach((rid, j) => {
      if (!seen.has(rid)) problems.push(`policies.rules[${i}].routes[${j}]: unknown route id "${rid}"`);
    });
  });
  return problems;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
