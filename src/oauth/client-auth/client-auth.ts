import type { IncomingMessage } from 'node:http';
import type { Agent, ClientAuthMethod } from '../../core/types.ts';
import type { ReasonCode } from '../../core/reasons.ts';
import type { FormParams } from '../form-body.ts';
import { invalidRequest, OAuthError } from '../oauth-error.ts';

/** The authenticated OAuth client: always a Gatehouse agent. */
export interface AuthenticatedClient {
  agent: Agent;
  method: ClientAuthMethod;
  /** Client secret id, or the agent key id (private_key_jwt). */
  credentialId: string;
}

/** One client-authentication method: recognises its credentials in a request and verifies them. */
export interface ClientAuthMethodModule {
  readonly method: ClientAuthMethod;
  /** True when the request carries this method's credentials (whether or not they are valid). */
  presentIn(req: IncomingMessage, form: FormParams): boolean;
  /** Verifies; throws invalid_client (never says which part was wrong). */
  authenticate(req: IncomingMessage, form: FormParams): Promise<AuthenticatedClient>;
}

/** RFC 6749 §5.2: one message for every client-authentication failure, so failures reveal nothing. */
export function invalidClient(basic = false, reason?: ReasonCode): OAuthError {
  return new OAuthError('invalid_client', 'client authentication failed', {
    ...(basic ? { headers: { 'www-authenticate': 'Basic realm="gatehouse", charset="UTF-8"' } } : {}),
    ...(reason ? { reason } : {}),
  });
}

/**
 * Finds the one client-authentication method the request uses (RFC 6749 §2.3: a client must not
 * use more than one), verifies it, and checks the agent is registered for that method. Returns
 * undefined when the request carries no client credentials at all.
 */
export async function authenticateClient(methods: readonly ClientAuthMethodModule[], req: IncomingMessage, form: FormParams): Promise<AuthenticatedClient | undefined> {
  const present = methods.filter((m) => m.presentIn(req, form));
  if (present.length > 1) throw invalidRequest('more than one client authentication method was used');
  const module = present[0];
  if (!module) {
    if (form.has('client_secret') || form.has('client_assertion') || form.has('client_assertion_type')) throw invalidRequest('incomplete client credentials');
    return undefined;
  }
  const client = await module.authenticate(req, form);
  if (!client.agent.authMethods.includes(module.method)) throw invalidClient(module.method === 'client_secret_basic');
  if (client.agent.status !== 'active') throw invalidClient(module.method === 'client_secret_basic');
  const claimed = form.get('client_id');
  if (claimed !== undefined && claimed !== client.agent.name) throw invalidClient(module.method === 'client_secret_basic');
  return client;
}
