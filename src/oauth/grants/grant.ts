import type { Config } from '../../config/schema.ts';
import type { Clock } from '../../core/clock.ts';
import type { TrustedIssuerRecord } from '../../core/types.ts';
import type { AgentService } from '../../identity/agent-service.ts';
import type { AccessTokenVerifier } from '../access-token-verifier.ts';
import type { AuthenticatedClient } from '../client-auth/client-auth.ts';
import type { FormParams } from '../form-body.ts';
import type { TokenMinter } from '../token-minter.ts';
import type { JWTPayload } from 'jose';

/** Verifies tokens of configured external issuers (federation assertions, token-exchange subjects). */
export interface ExternalTokenVerifier {
  /** Throws invalid_grant when no trusted issuer vouches for the token. */
  verify(token: string, purpose: 'federation' | 'subject'): Promise<{ issuer: TrustedIssuerRecord; claims: JWTPayload }>;
}

/** What every grant may use. */
export interface GrantDeps {
  config: () => Readonly<Config>;
  issuer: () => string;
  agents: AgentService;
  minter: TokenMinter;
  tokens: AccessTokenVerifier;
  external: ExternalTokenVerifier;
  clock: Clock;
}

/** The token endpoint's answer (RFC 6749 §5.1, RFC 8693 §2.2.1) plus what the audit record needs. */
export interface GrantResult {
  response: { access_token: string; token_type: 'Bearer'; expires_in: number; scope: string; issued_token_type?: string };
  /** The agent the token is issued to (its client_id). */
  agentName: string;
  audit: Record<string, unknown>;
}

/** One grant type: a file of its own, looked up in the registry by `grant_type`. */
export interface Grant {
  readonly type: string;
  /** required: the client must authenticate; optional: the grant authenticates through its own assertion. */
  readonly clientAuth: 'required' | 'optional';
  handle(form: FormParams, client: AuthenticatedClient | undefined, deps: GrantDeps): Promise<GrantResult>;
}
