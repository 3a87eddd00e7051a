import type { Config, ResourceConfig } from '../../config/schema.ts';
import type { Agent } from '../../core/types.ts';
import type { FormParams } from '../form-body.ts';
import { invalidTarget } from '../oauth-error.ts';

/**
 * RFC 8707: the `resource` the token is for, which becomes its only `aud`. Absent → the configured
 * default; unknown, not an absolute URI, or not allowed for this agent → invalid_target.
 */
export function selectResource(form: FormParams, config: Readonly<Config>, agent: Agent): ResourceConfig {
  const uri = form.get('resource') ?? config.oauth.defaultResource;
  if (uri === undefined) throw invalidTarget('resource is required (no default resource is configured)');
  const resource = config.oauth.resources.find((r) => r.uri === uri);
  if (!resource) throw invalidTarget('unknown resource');
  const who = resource.agents;
  const allowed = !who || ((who.names === undefined || who.names.includes(agent.name)) && (who.labels ?? []).every((l) => agent.labels.includes(l)));
  if (!allowed) throw invalidTarget('this agent may not obtain tokens for that resource');
  return resource;
}
