import type { IncomingMessage } from 'node:http';
import type { Decision, ReasonCode } from '../core/reasons.ts';
import type { Agent } from '../core/types.ts';
import type { RouteConfig } from '../config/schema.ts';
import type { RuntimeState } from './runtime-state.ts';
import type { LocalEndpoint } from './local-endpoint.ts';
import type { ActClaim } from '../oauth/delegation.ts';

/** The verified caller, set only by the authenticate stage. */
export interface Principal {
  /** The calling agent (for a delegated token: the current actor, the token's client). */
  agent: Agent;
  /** API key id, or the access token's jti. */
  credentialId: string;
  /** `oauth_client`: a client authenticated at the token service (never reaches policy). */
  credentialType: 'api_key' | 'jwt' | 'oauth_client';
  /** The credential's scopes (⊆ the agent's). */
  scopes: readonly string[];
  /** Delegated tokens: on whose behalf (the token's `sub`), the `act` chain, and its depth (0 = not delegated). */
  delegation: { subject: string; subjectIssuer: string | undefined; act: ActClaim | undefined; depth: number } | undefined;
  /** The access token itself, only when the route forwards the caller's token. */
  tokenExp?: number;
}

/** Typed per-request state passed through the pipeline; each stage fills in its own fields. */
export interface RequestContext {
  readonly requestId: string;
  readonly receivedAt: number; // epoch ms (audit time)
  readonly startedAt: bigint; // hrtime (latency)
  readonly req: IncomingMessage;
  /** The config + policy snapshot this request uses from start to finish (reloads swap it for later requests). */
  readonly state: RuntimeState;
  readonly upgrade: boolean;
  clientAddress: string;
  method: string;
  path: string | undefined;
  query: string;
  route: RouteConfig | undefined;
  /** Set when Gatehouse answers the request itself (token service) instead of forwarding it. */
  endpoint: LocalEndpoint | undefined;
  principal: Principal | undefined;
  /** A refused credential that was recognised (revoked, expired, suspended agent): audited, never trusted. */
  attempted: { credentialId: string | undefined; agent: { id: string; name: string } | undefined } | undefined;
  decision: Decision;
  reasons: ReasonCode[];
  upstreamStatus: number | undefined;
  /** Extra audit details (the token service records grant, audience, scope, delegation chain). */
  details: Record<string, unknown> | undefined;
  /** The signed identity assertion for the upstream (set by the identity stage). */
  identityAssertion: string | undefined;
  /** Headers to add to whatever response goes out (rate-limit headers). */
  responseHeaders: Record<string, string>;
}

/**
 * A stage's way to stop the pipeline: the request is refused with `status`, the audit record
 * carries `decision` and `reasons`. Thrown, so a stage cannot forget to stop.
 */
export class Rejection extends Error {
  readonly status: number;
  readonly code: string;
  readonly decision: Decision;
  readonly reasons: ReasonCode[];
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, opts: { reasons: ReasonCode[]; decision?: Decision; headers?: Record<string, string> }) {
    super(message);
    this.status = status;
    this.code = code;
    this.decision = opts.decision ?? 'deny';
    this.reasons = opts.reasons;
    this.headers = opts.headers ?? {};
  }
}

export type Stage = (ctx: RequestContext) => Promise<void> | void;
