import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import type { Config } from '../config/schema.ts';
import { PolicyEngine } from '../policy/policy-engine.ts';

/** Compiles the YAML rules and reads the .cedar files into one immutable engine (throws ConfigError). */
export function loadPolicyEngine(config: Readonly<Config>, baseDir: string): PolicyEngine {
  const cedarSources = config.policies.files.map((file, i) => {
    const path = resolve(baseDir, file);
    try {
      return { source: file, text: readFileSync(path, 'utf8') };
    } catch (err) {
      throw new ConfigError([`policies.files[${i}]: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
    }
  });
  return PolicyEngine.load({ rules: [...config.policies.rules], cedarSources, cacheSize: config.policies.decisionCacheSize });
}
