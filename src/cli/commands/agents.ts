import type { Agent, AgentStatus } from '../../core/types.ts';
import { opsCommand, type CommandGroup } from '../command.ts';
import { fields, list, table, time } from '../format.ts';

const CREATE_USAGE = `Usage: gatehouse agents create NAME [--owner O] [--description D] [--label L]... [--scope S]... [--json]

Creates an agent identity. Labels are what policies match on; scopes are the most any of its keys may hold.`;

function showAgent(g: Agent): string {
  return fields([
    ['name', g.name], ['id', g.id], ['spiffe id', g.spiffeId], ['status', g.status], ['owner', g.owner],
    ['description', g.description || '-'], ['labels', list(g.labels)], ['scopes', list(g.scopes)],
    ['created', time(g.createdAt)], ['updated', time(g.updatedAt)],
  ]);
}

/** `agents create NAME …` */
export const agentsCreate = opsCommand(
  {
    usage: CREATE_USAGE,
    options: { owner: { type: 'string' }, description: { type: 'string' }, label: { type: 'string', multiple: true }, scope: { type: 'string', multiple: true } },
    positionals: [1, 1],
  },
  (ops, { positionals, values: v }) => ops.createAgent({ name: positionals[0]!, owner: v.owner, description: v.description, labels: v.label ?? [], scopes: v.scope ?? [] }),
  (agent, out) => out.stdout.write(`Created agent ${agent.name}\n${showAgent(agent)}Next: gatehouse keys issue ${agent.name}\n`),
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
};
