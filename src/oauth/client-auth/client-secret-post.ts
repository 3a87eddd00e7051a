import type { AgentService } from '../../identity/agent-service.ts';
import type { ClientSecretService } from '../client-secret-service.ts';
import type { FormParams } from '../form-body.ts';
import { invalidClient, type AuthenticatedClient, type ClientAuthMethodModule } from './client-auth.ts';
import { verifySecret } from './client-secret-basic.ts';

/** `client_secret_post` (RFC 6749 §2.3.1): client_id and client_secret in the form body. */
export class ClientSecretPost implements ClientAuthMethodModule {
  readonly method = 'client_secret_post' as const;
  readonly #agents: AgentService;
  readonly #secrets: ClientSecretService;

  constructor(deps: { agents: AgentService; secrets: ClientSecretService }) {
    this.#agents = deps.agents;
    this.#secrets = deps.secrets;
  }

  presentIn(_req: unknown, form: FormParams): boolean {
    return form.has('client_secret');
  }

  async authenticate(_req: unknown, form: FormParams): Promise<AuthenticatedClient> {
    const id = form.get('client_id');
    if (id === undefined) throw invalidClient();
    return verifySecret(this.#agents, this.#secrets, id, form.get('client_secret')!, this.method);
  }
}
