import type { IncomingMessage } from 'node:http';
import type { AgentService } from '../../identity/agent-service.ts';
import type { ClientSecretService } from '../client-secret-service.ts';
import { invalidRequest } from '../oauth-error.ts';
import { invalidClient, type AuthenticatedClient, type ClientAuthMethodModule } from './client-auth.ts';

/** `client_secret_basic` (RFC 6749 §2.3.1): HTTP Basic with form-urlencoded client id and secret. */
export class ClientSecretBasic implements ClientAuthMethodModule {
  readonly method = 'client_secret_basic' as const;
  readonly #agents: AgentService;
  readonly #secrets: ClientSecretService;

  constructor(deps: { agents: AgentService; secrets: ClientSecretService }) {
    this.#agents = deps.agents;
    this.#secrets = deps.secrets;
  }

  presentIn(req: IncomingMessage): boolean {
    return /^basic /i.test(req.headers.authorization ?? '');
  }

  async authenticate(req: IncomingMessage): Promise<AuthenticatedClient> {
    const { id, secret } = parseBasic(req.headers.authorization ?? '');
    return verifySecret(this.#agents, this.#secrets, id, secret, this.method);
  }
}

/** Shared by basic and post: the agent named by client_id, with a live secret of its own. */
export async function verifySecret(agents: AgentService, secrets: ClientSecretService, clientId: string, secret: string, method: 'client_secret_basic' | 'client_secret_post'): Promise<AuthenticatedClient> {
  const agent = await agents.findByName(clientId);
  if (!agent) throw invalidClient(method === 'client_secret_basic');
  const result = await secrets.verify(agent, secret);
  if (!result.ok) throw invalidClient(method === 'client_secret_basic');
  return { agent, method, credentialId: result.secretId };
}

function parseBasic(header: string): { id: string; secret: string } {
  const encoded = header.slice(6).trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw invalidRequest('malformed Basic credentials');
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw invalidRequest('malformed Basic credentials');
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before Base64.
    const formDecode = (s: string): string => decodeURIComponent(s.replaceAll('+', ' '));
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw invalidRequest('malformed Basic credentials');
  }
}
