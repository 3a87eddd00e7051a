import type { Grant } from './grant.ts';
import { issueForAgent } from './issue-for-agent.ts';

/** `client_credentials` (RFC 6749 §4.4): an authenticated agent obtains a token for itself, for one resource. */
export const clientCredentials: Grant = {
  type: 'client_credentials',
  clientAuth: 'required',
  handle(form, client, deps) {
    return issueForAgent(client!.agent, form, deps, { grant: 'client_credentials', clientAuth: client!.method });
  },
};
