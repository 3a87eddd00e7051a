import type { AdminOps } from '../../admin/admin-ops.ts';
import { badRequest } from '../../core/errors.ts';
import type { ClientAuthMethod } from '../../core/types.ts';
import { opsCommand, parseCommand, UsageError, type CliContext, type Out } from '../command.ts';
import { clean, list, printJson, table, time } from '../format.ts';
import { readJsonObject } from '../read-input.ts';

/** JWK members that only private or symmetric keys have (RFC 7517/7518). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const AUTH_METHODS_USAGE = `Usage: gatehouse agents auth-methods NAME METHOD... [--json]
       gatehouse agents auth-methods NAME --none [--json]

Sets exactly the token-endpoint client authentication methods the agent may use (replacing the
previous set): client_secret_basic, client_secret_post, private_key_jwt. --none clears them.`;
const ADD_KEY_USAGE = `Usage: gatehouse agents add-key NAME --jwk FILE [--alg ALG] [--kid KID] [--json]

Registers the agent's PUBLIC key (a JWK in FILE) for private_key_jwt. The algorithm comes from --alg
or the JWK's "alg" and is pinned to the key (ES256, EdDSA, RS256, PS256, …; never none or HS*). The
kid defaults to the JWK's "kid", else its RFC 7638 thumbprint. A private key is refused before
anything is sent or stored.
Example: gatehouse agents add-key billing-bot --jwk billing-bot.pub.jwk`;

/** `agents auth-methods NAME METHOD... | --none` */
export const agentsAuthMethods = opsCommand(
  { usage: AUTH_METHODS_USAGE, options: { none: { type: 'boolean' } }, positionals: [1, 4] },
  (ops, { positionals: [name, ...methods], values: v }) => {
    if (v.none === true && methods.length > 0) throw new UsageError('give either methods or --none, not both');
    if (v.none !== true && methods.length === 0) throw new UsageError('give the methods to allow, or --none to clear them');
    return ops.setAgentAuthMethods(name!, methods as ClientAuthMethod[]);
  },
  (agent, out) => out.stdout.write(`Agent ${clean(agent.name)} may authenticate with: ${agent.authMethods.length === 0 ? '(none)' : list(agent.authMethods)}\n`),
);

/** `agents add-key NAME --jwk FILE [--alg A] [--kid K]` */
export async function agentsAddKey(ops: AdminOps, args: string[], out: Out, ctx: Pick<CliContext, 'cwd'>): Promise<number> {
  const options = { jwk: { type: 'string' }, alg: { type: 'string' }, kid: { type: 'string' } } as const;
  const a = parseCommand({ usage: ADD_KEY_USAGE, options, positionals: [1, 1] }, args, out);
  if (!a) return 0;
  const file = a.values.jwk;
  if (file === undefined) throw new UsageError('--jwk FILE is required');
  const jwk = readJsonObject(ctx.cwd, file, 'JWK');
  if (Array.isArray(jwk.keys)) throw badRequest('jwk_invalid', `${file} is a JWK set; give a file with one public JWK`);
  // Checked here too, so a private key never leaves this machine (with --admin-url it would be sent).
  const priv = PRIVATE_MEMBERS.filter((m) => m in jwk);
  if (priv.length > 0 || jwk.kty === 'oct') {
    throw badRequest('jwk_private', `${file} holds a private or symmetric key (${priv.join(', ') || 'kty oct'}); register the PUBLIC key only (nothing was sent or stored)`);
  }
  const name = a.positionals[0]!;
  const key = await ops.addAgentKey(name, jwk, { alg: a.values.alg, kid: a.values.kid });
  if (a.json) {
    printJson(out, key);
    return 0;
  }
  out.stdout.write(`Registered key ${clean(key.kid)} (${key.alg}, thumbprint ${key.thumbprint}) for agent ${clean(name)} as ${key.id}.\n`);
  const agent = await ops.getAgent(name);
  if (!agent.authMethods.includes('private_key_jwt')) {
    out.stderr.write(`Note: ${clean(agent.name)} is not allowed to use private_key_jwt yet; run: gatehouse agents auth-methods ${clean(agent.name)} ${[...agent.authMethods, 'private_key_jwt'].join(' ')}\n`);
  }
  return 0;
}

/** `agents keys NAME` */
export const agentsKeys = opsCommand(
  { usage: "Usage: gatehouse agents keys NAME|ID [--json]\n\nLists the agent's registered public keys (private_key_jwt), removed ones included.", options: {}, positionals: [1, 1] },
  (ops, a) => ops.listAgentKeys(a.positionals[0]!),
  (keys, out) => out.stdout.write(keys.length === 0
    ? 'No registered keys. Add one with: gatehouse agents add-key NAME --jwk FILE\n'
    : table(['KID', 'ALG', 'STATUS', 'ID', 'THUMBPRINT', 'ADDED'], keys.map((k) => [k.kid, k.alg, k.revokedAt === null ? 'active' : `removed ${time(k.revokedAt)}`, k.id, k.thumbprint, time(k.createdAt)]))),
);

/** `agents remove-key NAME KID|ID` */
export const agentsRemoveKey = opsCommand(
  { usage: 'Usage: gatehouse agents remove-key NAME|ID KID|KEY_ID [--json]\n\nAssertions signed with the key are refused from the next request on.', options: {}, positionals: [2, 2] },
  (ops, { positionals: [name, key] }) => ops.removeAgentKey(name!, key!),
  (key, out, a) => out.stdout.write(`Removed key ${clean(key.kid)} (${key.id}) from agent ${clean(a.positionals[0]!)}.\n`),
);
