import type { AdminOps } from '../../admin/admin-ops.ts';
import { formatIssues } from '../../config/load-config.ts';
import { badRequest, notFound } from '../../core/errors.ts';
import type { TrustedIssuerRecord } from '../../core/types.ts';
import { trustedIssuerInput } from '../../oauth/trusted-issuer-service.ts';
import { opsCommand, parseCommand, UsageError, type CliContext, type CommandGroup, type Out } from '../command.ts';
import { clean, fields, list, printJson, table, time } from '../format.ts';
import { readDefinition } from '../read-input.ts';

const ADD_USAGE = `Usage: gatehouse issuers add --file FILE.json|FILE.yaml [--json]

Adds a trusted external issuer, or replaces the one with the same name. The file holds:
  name                 a-z, 0-9, ".", "_", "-"
  issuer               the exact "iss" of its tokens
  jwksUrl | jwks       where its keys are: an http(s) URL, or a static {"keys": [...]}
  audience             the "aud" its assertions must carry (default: Gatehouse's issuer)
  algorithms           accepted algorithms (default [RS256, ES256]; never none or HS*)
  rules                [{claims: {sub: "repo:acme/*"}, agent: NAME}]: jwt-bearer assertion → agent
  subjectTokens        true: its tokens may be token-exchange subject tokens (users delegating)
  subjectScopes        the most a subject from this issuer can delegate
  allowPrivateNetwork  allow a jwksUrl on a private or loopback address
Errors name the field.`;

/** `issuers add --file FILE`: validated here first so every mistake names its field, locally or remote. */
export async function issuersAdd(ops: AdminOps, args: string[], out: Out, ctx: Pick<CliContext, 'cwd'>): Promise<number> {
  const a = parseCommand({ usage: ADD_USAGE, options: { file: { type: 'string' } }, positionals: [0, 0] }, args, out);
  if (!a) return 0;
  const file = a.values.file;
  if (file === undefined) throw new UsageError('--file FILE is required');
  const parsed = trustedIssuerInput.safeParse(readDefinition(ctx.cwd, file, 'issuer definition'));
  if (!parsed.success) throw badRequest('issuer_invalid', `${file}: invalid trusted issuer: ${formatIssues(parsed.error.issues).join('; ')}`);
  const rec = await ops.putIssuer(parsed.data);
  if (a.json) printJson(out, rec);
  else out.stdout.write(`${rec.createdAt === rec.updatedAt ? 'Added' : 'Updated'} trusted issuer ${clean(rec.name)} (${clean(rec.issuer)}): ${rec.rules.length} mapping rule(s), subject tokens ${rec.subjectTokens ? 'yes' : 'no'}.\n`);
  return 0;
}

const keySource = (i: TrustedIssuerRecord): string => i.jwksUrl ?? `static (${i.jwks?.keys.length ?? 0} key(s))`;

function showIssuer(i: TrustedIssuerRecord): string {
  const head = fields([
    ['name', i.name], ['issuer', i.issuer], ['keys', keySource(i)], ['audience', i.audience ?? "(Gatehouse's issuer)"],
    ['algorithms', list(i.algorithms)], ['subject tokens', i.subjectTokens ? 'yes' : 'no'], ['subject scopes', list(i.subjectScopes)],
    ['private network', i.allowPrivateNetwork ? 'allowed' : 'no'], ['created', time(i.createdAt)], ['updated', time(i.updatedAt)],
  ]);
  const rules = i.rules.map((r) => `  ${Object.entries(r.claims).map(([k, v]) => `${clean(k)}=${clean(v)}`).join(', ')}  →  agent ${clean(r.agent)}\n`);
  return `${head}rules:${rules.length === 0 ? ' -\n' : `\n${rules.join('')}`}`;
}

/** `issuers list` */
export const issuersList = opsCommand(
  { usage: 'Usage: gatehouse issuers list [--json]', options: {}, positionals: [0, 0] },
  (ops) => ops.listIssuers(),
  (issuers, out) => out.stdout.write(issuers.length === 0
    ? 'No trusted issuers. Add one with: gatehouse issuers add --file FILE\n'
    : table(['NAME', 'ISSUER', 'KEYS', 'RULES', 'SUBJECT TOKENS', 'UPDATED'], issuers.map((i) => [i.name, i.issuer, keySource(i), String(i.rules.length), i.subjectTokens ? 'yes' : 'no', time(i.updatedAt)]))),
);

/** `issuers show NAME` */
export const issuersShow = opsCommand(
  { usage: 'Usage: gatehouse issuers show NAME [--json]', options: {}, positionals: [1, 1] },
  async (ops, a) => {
    const name = a.positionals[0]!;
    const found = (await ops.listIssuers()).find((i) => i.name === name);
    if (!found) throw notFound('issuer_not_found', `no trusted issuer "${name}"`);
    return found;
  },
  (issuer, out) => out.stdout.write(showIssuer(issuer)),
);

/** `issuers remove NAME` */
export const issuersRemove = opsCommand(
  { usage: 'Usage: gatehouse issuers remove NAME [--json]\n\nIts tokens and assertions are refused from the next request on.', options: {}, positionals: [1, 1] },
  async (ops, a) => {
    await ops.removeIssuer(a.positionals[0]!);
    return { removed: a.positionals[0]! };
  },
  (r, out) => out.stdout.write(`Removed trusted issuer ${clean(r.removed)}.\n`),
);

export const issuersCommands: CommandGroup = {
  add: { needs: 'ops', summary: 'add or replace a trusted issuer from a JSON/YAML file', run: issuersAdd },
  list: { needs: 'ops', summary: 'list trusted issuers', run: issuersList },
  show: { needs: 'ops', summary: 'show one trusted issuer and its mapping rules', run: issuersShow },
  remove: { needs: 'ops', summary: 'remove a trusted issuer', run: issuersRemove },
};
