import type { ClientSecretView, IssuedClientSecret } from '../../oauth/client-secret-service.ts';
import { intOption, opsCommand, type CommandGroup, type Out } from '../command.ts';
import { clean, table, time } from '../format.ts';

const ISSUE_USAGE = `Usage: gatehouse client-secrets issue AGENT [--ttl-days N] [--json]

Issues a token-endpoint client secret (client_secret_basic / client_secret_post). The secret is
printed once, on stdout; it is stored only as a keyed hash. The agent must be allowed a secret
method first: gatehouse agents auth-methods AGENT client_secret_basic`;
const ROTATE_USAGE = `Usage: gatehouse client-secrets rotate SECRET_ID [--overlap-hours H] [--ttl-days N] [--json]

Issues a successor now; the old secret keeps working for the overlap only (default oauth.clientSecrets.rotationOverlapHours).`;

/** The plaintext goes alone to stdout (so `SECRET=$(gatehouse client-secrets issue bot)` works); the rest to stderr. */
function printIssued(out: Out, issued: IssuedClientSecret, agent: string): void {
  out.stdout.write(`${issued.secret}\n`);
  out.stderr.write(`Issued client secret ${issued.record.id} for agent ${clean(agent)} (expires ${time(issued.record.expiresAt)}).\n`);
  out.stderr.write('This secret is shown once and will not be shown again: store it now.\n');
}

function secretStatus(s: ClientSecretView, now: number): string {
  if (s.revokedAt !== null) return 'revoked';
  if (s.expiresAt <= now) return 'expired';
  return s.replacedBy === null ? 'active' : `rotated→${s.replacedBy}`;
}

/** `client-secrets issue AGENT [--ttl-days N]` */
export const clientSecretsIssue = opsCommand(
  { usage: ISSUE_USAGE, options: { 'ttl-days': { type: 'string' } }, positionals: [1, 1] },
  (ops, a) => ops.issueClientSecret(a.positionals[0]!, { ttlDays: intOption(a.values['ttl-days'], 'ttl-days', 1, 3650) }),
  (issued, out, a) => printIssued(out, issued, a.positionals[0]!),
);

/** `client-secrets list AGENT`: hints and dates only, never a secret. */
export const clientSecretsList = opsCommand(
  { usage: "Usage: gatehouse client-secrets list AGENT [--json]\n\nLists the agent's client secrets (hint and dates only; a secret is never shown again).", options: {}, positionals: [1, 1] },
  (ops, a) => ops.listClientSecrets(a.positionals[0]!),
  (secrets, out) => {
    const now = Date.now();
    out.stdout.write(secrets.length === 0
      ? 'No client secrets. Issue one with: gatehouse client-secrets issue AGENT\n'
      : table(['ID', 'HINT', 'STATUS', 'CREATED', 'EXPIRES'], secrets.map((s) => [s.id, s.hint, secretStatus(s, now), time(s.createdAt), time(s.expiresAt)])));
  },
);

/** `client-secrets rotate SECRET_ID [--overlap-hours H] [--ttl-days N]` */
export const clientSecretsRotate = opsCommand(
  { usage: ROTATE_USAGE, options: { 'overlap-hours': { type: 'string' }, 'ttl-days': { type: 'string' } }, positionals: [1, 1] },
  (ops, { positionals, values: v }) => ops.rotateClientSecret(positionals[0]!, { overlapHours: intOption(v['overlap-hours'], 'overlap-hours', 0, 720), ttlDays: intOption(v['ttl-days'], 'ttl-days', 1, 3650) }),
  (rotated, out) => {
    printIssued(out, rotated, rotated.record.agentId);
    out.stderr.write(`The old secret ${rotated.previous.id} keeps working until ${time(rotated.previous.expiresAt)}.\n`);
  },
);

/** `client-secrets revoke SECRET_ID` */
export const clientSecretsRevoke = opsCommand(
  { usage: 'Usage: gatehouse client-secrets revoke SECRET_ID [--json]\n\nThe secret stops working at once (tokens already issued with it live until they expire; see token revoke).', options: {}, positionals: [1, 1] },
  (ops, a) => ops.revokeClientSecret(a.positionals[0]!),
  (s, out) => out.stdout.write(`Client secret ${s.id} is revoked (since ${time(s.revokedAt)}).\n`),
);

export const clientSecretsCommands: CommandGroup = {
  issue: { needs: 'ops', summary: 'issue a client secret (shown once)', run: clientSecretsIssue },
  list: { needs: 'ops', summary: "list an agent's client secrets", run: clientSecretsList },
  rotate: { needs: 'ops', summary: 'rotate a client secret with an overlap window', run: clientSecretsRotate },
  revoke: { needs: 'ops', summary: 'revoke a client secret', run: clientSecretsRevoke },
};
