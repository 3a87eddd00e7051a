import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fail, octal, pass, warn } from '../result.ts';
import type { CheckResult, DoctorCheck } from '../types.ts';

/** Anyone who can write the config or a policy file can make every route public: only the owner may. */
function writable(what: string, path: string): CheckResult | undefined {
  const mode = statSync(path).mode;
  if ((mode & 0o022) === 0) return undefined;
  return fail(`${what} ${path} is mode ${octal(mode)} (writable by group/others)`, `Whoever can write it decides which routes need credentials and who may call them. chmod go-w ${path}`);
}

export const configFileCheck: DoctorCheck = {
  id: 'config-file',
  title: 'Configuration',
  run(ctx) {
    const { file, baseDir, config } = ctx.loaded;
    if (file === undefined) return [warn('no config file found: checking the built-in defaults', 'Pass --config FILE, or run the doctor where gatehouse.yaml is.')];
    const problems = [writable('config file', file), ...config.policies.files.map((f) => writable('policy file', resolve(baseDir, f)))].filter((r) => r !== undefined);
    return problems.length > 0 ? problems : [pass(`config file ${file}${config.policies.files.length > 0 ? ' and its policy files' : ''} writable by the owner only`)];
  },
};
