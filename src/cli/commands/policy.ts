import { loadPolicyEngine } from '../../app/load-policy.ts';
import { ConfigError } from '../../core/errors.ts';
import { opsCommand, parseCommand, type CliContext, type CommandGroup, type Out } from '../command.ts';
import { clean, fields, list, printJson } from '../format.ts';

const CHECK_USAGE = `Usage: gatehouse policy check [--config FILE] [--json]

Loads the configuration and every policy (rules and .cedar files) and reports OK or each error.
Touches no database. Exit code 0 = valid, 1 = errors found.`;
const EXPLAIN_USAGE = `Usage: gatehouse policy explain AGENT METHOD PATH [--json]

Shows what the gateway would decide for this agent, method and path, why, and the Cedar text of
the policies that decided it. Example: gatehouse policy explain billing-bot GET /api/invoices`;

/** `policy check`: config + policies only, no store, no server secret. */
export async function policyCheck(ctx: CliContext, args: string[], out: Out): Promise<number> {
  const a = parseCommand({ usage: CHECK_USAGE, options: {}, positionals: [0, 0] }, args, out);
  if (!a) return 0;
  try {
    const loaded = ctx.loadConfig();
    const engine = loadPolicyEngine(loaded.config, loaded.baseDir);
    const report = { ok: true, file: loaded.file ?? null, routes: loaded.config.routes.length, policies: [...engine.policyIds], version: engine.version };
    if (a.json) printJson(out, report);
    else out.stdout.write(`OK: ${report.file ?? 'built-in defaults'}: ${report.routes} route(s), ${report.policies.length} polic${report.policies.length === 1 ? 'y' : 'ies'} (version ${engine.version.slice(0, 12)})\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (a.json) printJson(out, { ok: false, errors: err.issues });
    else out.stderr.write(`Configuration has ${err.issues.length} error(s):\n${err.issues.map((i) => `  ${i}\n`).join('')}`);
    return 1;
  }
}

/** `policy explain AGENT METHOD PATH` */
export const policyExplain = opsCommand(
  { usage: EXPLAIN_USAGE, options: {}, positionals: [3, 3] },
  (ops, { positionals: [agent, method, path] }) => ops.explain(agent!, method!, path!),
  (x, out) => {
    out.stdout.write(`${x.decision.toUpperCase()}  ${clean(x.method)} ${clean(x.path)}\n`);
    out.stdout.write(fields([['agent', x.agent], ['route', x.routeId ?? '(none)'], ['reasons', list(x.reasons)], ['policy version', x.policyVersion.slice(0, 12)]]));
    if (x.policies.length > 0) out.stdout.write(`\nDetermined by:\n${x.policies.map((p) => `\n${p.text}\n`).join('')}`);
    else if (x.reasons.includes('default_deny')) out.stdout.write('\nNo policy permits this request (default deny).\n');
  },
);

/** `policy show`: the loaded policies as Cedar. */
export const policyShow = opsCommand(
  { usage: 'Usage: gatehouse policy show [--json]\n\nPrints the policy version, ids and the Cedar text in force.', options: {}, positionals: [0, 0] },
  (ops) => ops.listPolicies(),
  (p, out) => out.stdout.write(`# version ${p.version}\n# ${p.ids.length} polic${p.ids.length === 1 ? 'y' : 'ies'}: ${list(p.ids)}\n\n${p.cedar}\n`),
);

export const policyCommands: CommandGroup = {
  check: { needs: 'context', summary: 'validate the config and policies (no database)', run: policyCheck },
  explain: { needs: 'ops', summary: 'explain the decision for AGENT METHOD PATH', run: policyExplain },
  show: { needs: 'ops', summary: 'print the policies in force as Cedar', run: policyShow },
};
