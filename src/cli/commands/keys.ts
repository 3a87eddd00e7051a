import type { AdminOps } from '../../admin/admin-ops.ts';
import type { ApiKeyView, IssuedKey } from '../../identity/api-key-service.ts';
import { intOption, opsCommand, parseCommand, type CommandGroup, type Out } from '../command.ts';
import { list, printJson, table, time } from '../format.ts';
import { keysRotateSigning, keysSigning } from './signing-keys.ts';

const ISSUE_USAGE = `Usage: gatehouse keys issue AGENT [--scope S]... [--ttl-days N] [--json]

Issues an API key. The key is printed once, on stdout; it is stored only as a keyed hash.`;
const ROTATE_USAGE = `Usage: gatehouse keys rotate KEY_ID [--overlap-hours H] [--ttl-days N] [--json]

Issues a successor with the same scopes; the old key keeps working for the overlap only.`;

/** The plaintext goes alone to stdout (so `KEY=$(gatehouse keys issue bot)` works); the rest to stderr. */
function printIssued(out: Out, issued: IssuedKey, agent: string): void {
  out.stdout.write(`${issued.key}\n`);
  out.stderr.write(`Issued ${issued.record.id} for agent ${agent} (scopes ${list(issued.record.scopes)}, expires ${time(issued.record.expiresAt)}).\n`);
  out.stderr.write('This key will not be shown again: store it now.\n');
}

/** `keys issue AGENT …` */
export const keysIssue = opsCommand(
  { usage: ISSUE_USAGE, options: { scope: { type: 'string', multiple: true }, 'ttl-days': { type: 'string' } }, positionals: [1, 1] },
  (ops, a) => ops.issueKey(a.positionals[0]!, { scopes: a.values.scope, ttlDays: intOption(a.values['ttl-days'], 'ttl-days', 1, 3650) }),
  (issued, out, a) => printIssued(out, issued, a.positionals[0]!),
);

/** `keys list [--agent A]` */
export async function keysList(ops: AdminOps, args: string[], out: Out): Promise<number> {
  const a = parseCommand({ usage: 'Usage: gatehouse keys list [--agent NAME|ID] [--json]', options: { agent: { type: 'string' } }, positionals: [0, 0] }, args, out);
  if (!a) return 0;
  const keys = await ops.listKeys(a.values.agent);
  if (a.json) {
    printJson(out, keys);
    return 0;
  }
  if (keys.length === 0) {
    out.stdout.write('No keys.\n');
    return 0;
  }
  const names = new Map((await ops.listAgents()).map((g) => [g.id, g.name]));
  const now = Date.now();
  out.stdout.write(table(
    ['ID', 'AGENT', 'HINT', 'STATUS', 'SCOPES', 'EXPIRES', 'LAST USED'],
    keys.map((k) => [k.id, names.get(k.agentId) ?? k.agentId, k.hint, keyStatus(k, now), list(k.scopes), time(k.expiresAt), time(k.lastUsedAt)]),
  ));
  return 0;
}

function keyStatus(k: ApiKeyView, now: number): string {
  if (k.revokedAt !== null) return 'revoked';
  if (k.expiresAt <= now) return 'expired';
  return k.replacedBy === null ? 'active' : `rotated→${k.replacedBy}`;
}

/** `keys rotate KEY_ID …` */
export const keysRotate = opsCommand(
  { usage: ROTATE_USAGE, options: { 'overlap-hours': { type: 'string' }, 'ttl-days': { type: 'string' } }, positionals: [1, 1] },
  (ops, { positionals, values: v }) => ops.rotateKey(positionals[0]!, { overlapHours: intOption(v['overlap-hours'], 'overlap-hours', 0, 720), ttlDays: intOption(v['ttl-days'], 'ttl-days', 1, 3650) }),
  (rotated, out) => {
    printIssued(out, rotated, rotated.record.agentId);
    out.stderr.write(`The old key ${rotated.previous.id} keeps working until ${time(rotated.previous.expiresAt)}.\n`);
  },
);

/** `keys revoke KEY_ID` */
export const keysRevoke = opsCommand(
  { usage: 'Usage: gatehouse keys revoke KEY_ID [--json]\n\nThe key stops working at once.', options: {}, positionals: [1, 1] },
  (ops, a) => ops.revokeKey(a.positionals[0]!),
  (key, out) => out.stdout.write(`Key ${key.id} is revoked (since ${time(key.revokedAt)}).\n`),
);

export const keysCommands: CommandGroup = {
  issue: { needs: 'ops', summary: 'issue an API key (shown once)', run: keysIssue },
  list: { needs: 'ops', summary: 'list API keys', run: keysList },
  rotate: { needs: 'ops', summary: 'rotate a key with an overlap window', run: keysRotate },
  revoke: { needs: 'ops', summary: 'revoke a key', run: keysRevoke },
  signing: { needs: 'ops', summary: "list Gatehouse's token-signing keys (no key material)", run: keysSigning },
  'rotate-signing': { needs: 'ops', summary: 'rotate the token-signing key now', run: keysRotateSigning },
};
