import type { Agent, AgentStatus, ClientAuthMethod } from '../../core/types.ts';
import { opsCommand, type CommandGroup } from '../command.ts';
import { fields, list, table, time } from '../format.ts';
import { agentsAddKey, agentsAuthMethods, agentsKeys, agentsRemoveKey } from './agent-keys.ts';

const CREATE_USAGE = `Usage: gatehouse agents create NAME [--owner O] [--description D] [--label L]... [--scope S]...
                              [--auth-method M]... [--json]

Creates an agent identity. Labels are what policies match on; scopes are the most any of its keys may hold.
--auth-method (repeatable) lets it authenticate at the token endpoint: client_secret_basic,
client_secret_post or private_key_jwt (change later with: gatehouse agents auth-methods).`;

function showAgent(g: Agent): string {
  return fields([
    ['name', g.name], ['id', g.id], ['spiffe id', g.spiffeId], ['status', g.status], ['owner', g.owner],
    ['description', g.description || '-'], ['labels', list(g.labels)], ['scopes', list(g.scopes)], ['auth methods', list(g.authMethods)],
    ['created', time(g.createdAt)], ['updated', time(g.updatedAt)],
  ]);
}

/** The credential the agent can use next, by its token-endpoint methods (API keys otherwise). */
function nextStep(g: Agent): string {
  if (g.authMethods.some((m) => m !== 'private_key_jwt')) return `gatehouse client-secrets issue ${g.name}`;
  if (g.authMethods.includes('private_key_jwt')) return `gatehouse agents add-key ${g.name} --jwk PUBLIC_KEY.jwk`;
  return `gatehouse keys issue ${g.name}`;
}

/** `agents create NAME …` */
export const agentsCreate = opsCommand(
  {
    usage: CREATE_USAGE,
    options: {
      owner: { type: 'string' }, description: { type: 'string' }, label: { type: 'string', multiple: true }, scope: { type: 'string', multiple: true },
      'auth-method': { type: 'string', multiple: true },
    },
    positionals: [1, 1],
  },
  (ops, { positionals, values: v }) => ops.createAgent({
    name: positionals[0]!, owner: v.owner, description: v.description, labels: v.label ?? [], scopes: v.scope ?? [],
    // The service names the valid methods when one is unknown.
    authMethods: (v['auth-method'] ?? []) as ClientAuthMethod[],
  }),
  (agent, out) => out.stdout.write(`Created agent ${agent.name}\n${showAgent(agent)}Next: ${nextStep(agent)}\n`),
);

/** `agents list` */
export const agentsList = opsCommand(
  { usage: 'Usage: gatehouse agents list [--json]', options: {}, positionals: [0, 0] },
  (ops) => ops.listAgents(),
  (agents, out) => out.stdout.write(agents.length === 0
    ? 'No agents yet. Create one with: gatehouse agents create NAME\n'
    : table(['NAME', 'STATUS', 'ID', 'LABELS', 'SCOPES', 'OWNER', 'CREATED'], agents.map((g) => [g.name, g.status, g.id, list(g.labels), list(g.scopes), g.owner, time(g.createdAt)]))),
);

/** `agents show REF` (REF = name or agt_ id) */
export const agentsShow = opsCommand(
  { usage: 'Usage: gatehouse agents show NAME|ID [--json]', options: {}, positionals: [1, 1] },
  (ops, a) => ops.getAgent(a.positionals[0]!),
  (agent, out) => out.stdout.write(showAgent(agent)),
);

/** `agents suspend|resume|revoke REF` */
const setStatus = (verb: string, status: AgentStatus, note: string) => opsCommand(
  { usage: `Usage: gatehouse agents ${verb} NAME|ID [--json]\n\n${note}`, options: {}, positionals: [1, 1] },
  (ops, a) => ops.setAgentStatus(a.positionals[0]!, status),
  (agent, out) => out.stdout.write(`Agent ${agent.name} is ${agent.status}.\n`),
);

export const agentsSuspend = setStatus('suspend', 'suspended', 'Its keys stop working at once; resume undoes it.');
export const agentsResume = setStatus('resume', 'active', 'Makes a suspended agent active again.');
export const agentsRevoke = setStatus('revoke', 'revoked', 'Final: the agent and all its keys stop working for good.');

export const agentsCommands: CommandGroup = {
  create: { needs: 'ops', summary: 'create an agent', run: agentsCreate },
  list: { needs: 'ops', summary: 'list agents', run: agentsList },
  show: { needs: 'ops', summary: 'show one agent', run: agentsShow },
  suspend: { needs: 'ops', summary: 'suspend an agent', run: agentsSuspend },
  resume: { needs: 'ops', summary: 'resume a suspended agent', run: agentsResume },
  revoke: { needs: 'ops', summary: 'revoke an agent (final)', run: agentsRevoke },
  'auth-methods': { needs: 'ops', summary: 'set how an agent authenticates at the token endpoint', run: agentsAuthMethods },
  'add-key': { needs: 'ops', summary: 'register a public key (JWK) for private_key_jwt', run: agentsAddKey },
  keys: { needs: 'ops', summary: "list an agent's registered public keys", run: agentsKeys },
  'remove-key': { needs: 'ops', summary: 'remove a registered public key', run: agentsRemoveKey },
};
