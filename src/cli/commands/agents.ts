import type { AdminOps } from '../../admin/admin-ops.ts';
import type { Agent, AgentStatus } from '../../core/types.ts';
import { parseCommand, type CommandGroup, type Out } from '../command.ts';
import { fields, list, printJson, table, time } from '../format.ts';

const CREATE_USAGE = `Usage: gatehouse agents create NAME [--owner O] [--description D] [--label L]... [--scope S]... [--json]

Creates an agent identity. Labels are what policies match on; scopes are the most any of its keys may hold.`;

/** `agents create NAME …` */
export async function agentsCreate(ops: AdminOps, args: string[], out: Out): Promise<number> {
  const a = parseCommand({
    usage: CREATE_USAGE,
    options: { owner: { type: 'string' }, description: { type: 'string' }, label: { type: 'string', multiple: true }, scope: { type: 'string', multiple: true } },
    positionals: [1, 1],
  }, args, out);
  if (!a) return 0;
  const { owner, description, label, scope } = a.values;
  const agent = await ops.createAgent({ name: a.positionals[0]!, owner, description, labels: label ?? [], scopes: scope ?? [] });
  if (a.json) printJson(out, agent);
  else out.stdout.write(`Created agent ${agent.name}\n${showAgent(agent)}Next: gatehouse keys issue ${agent.name}\n`);
  return 0;
}

/** `agents list` */
export async function agentsList(ops: AdminOps, args: string[], out: Out): Promise<number> {
  const a = parseCommand({ usage: 'Usage: gatehouse agents list [--json]', options: {}, positionals: [0, 0] }, args, out);
  if (!a) return 0;
  const agents = await ops.listAgents();
  if (a.json) printJson(out, agents);
  else if (agents.length === 0) out.stdout.write('No agents yet. Create one with: gatehouse agents create NAME\n');
  else out.stdout.write(table(['NAME', 'STATUS', 'ID', 'LABELS', 'SCOPES', 'OWNER', 'CREATED'], agents.map((g) => [g.name, g.status, g.id, list(g.labels), list(g.scopes), g.owner, time(g.createdAt)])));
  return 0;
}

/** `agents show REF` (REF = name or agt_ id) */
export async function agentsShow(ops: AdminOps, args: string[], out: Out): Promise<number> {
  const a = parseCommand({ usage: 'Usage: gatehouse agents show NAME|ID [--json]', options: {}, positionals: [1, 1] }, args, out);
  if (!a) return 0;
  const agent = await ops.getAgent(a.positionals[0]!);
  if (a.json) printJson(out, agent);
  else out.stdout.write(showAgent(agent));
  return 0;
}

function showAgent(g: Agent): string {
  return fields([
    ['name', g.name], ['id', g.id], ['spiffe id', g.spiffeId], ['status', g.status], ['owner', g.owner],
    ['description', g.description || '-'], ['labels', list(g.labels)], ['scopes', list(g.scopes)],
    ['created', time(g.createdAt)], ['updated', time(g.updatedAt)],
  ]);
}

/** `agents suspend|resume|revoke REF` */
function setStatus(verb: string, status: AgentStatus, note: string) {
  return async function run(ops: AdminOps, args: string[], out: Out): Promise<number> {
    const a = parseCommand({ usage: `Usage: gatehouse agents ${verb} NAME|ID [--json]\n\n${note}`, options: {}, positionals: [1, 1] }, args, out);
    if (!a) return 0;
    const agent = await ops.setAgentStatus(a.positionals[0]!, status);
    if (a.json) printJson(out, agent);
    else out.stdout.write(`Agent ${agent.name} is ${agent.status}.\n`);
    return 0;
  };
}

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
