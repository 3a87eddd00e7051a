import { fetch as undiciFetch } from 'undici';
import type { RouteConfig, RuleConfig } from '../config/schema.ts';
import { badRequest, GatehouseError } from '../core/errors.ts';
import type { Agent, AgentKeyRecord, AgentStatus, AuditRecord, ClientAuthMethod, RevokedTokenRecord, TrustedIssuerRecord } from '../core/types.ts';
import type { CreateAgentInput } from '../identity/agent-service.ts';
import type { ApiKeyView, IssuedKey } from '../identity/api-key-service.ts';
import type { ClientSecretView, IssuedClientSecret } from '../oauth/client-secret-service.ts';
import type { TrustedIssuerInput } from '../oauth/trusted-issuer-service.ts';
import type { AuditQuery } from '../store/store.ts';
import { ADMIN_API, type OperationName } from './admin-api.ts';
import type { AdminOps, AuditVerification, PolicyExplanation } from './admin-ops.ts';
import type { PublicJwks, SigningKeyRotation, SigningKeyView } from './oauth-admin-ops.ts';

type Fetch = (url: string, init: { method: string; headers: Record<string, string>; body?: string; redirect: 'manual'; signal: AbortSignal }) => Promise<{ status: number; ok: boolean; headers: { get(name: string): string | null }; text(): Promise<string> }>;

interface CallInput {
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

const STATUS_OPERATION: Record<AgentStatus, OperationName> = { active: 'resumeAgent', suspended: 'suspendAgent', revoked: 'revokeAgent' };

/** AdminOps over the admin HTTP API (the CLI with --admin-url). Problem responses become GatehouseErrors with the same code and status. */
export class RemoteAdminOps implements AdminOps {
  readonly #base: string;
  readonly #token: string;
  readonly #fetch: Fetch;
  readonly #timeoutMs: number;

  constructor(opts: { url: string; token: string; fetch?: Fetch; timeoutMs?: number }) {
    let url: URL;
    try {
      url = new URL(opts.url);
    } catch {
      throw badRequest('admin_url_invalid', `admin URL "${opts.url}" is not a valid URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badRequest('admin_url_invalid', 'admin URL must be http:// or https://');
    this.#base = url.href.replace(/\/+$/, '');
    this.#token = opts.token;
    this.#fetch = opts.fetch ?? (undiciFetch as unknown as Fetch);
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
  }

  createAgent = async (input: CreateAgentInput): Promise<Agent> => this.#call('createAgent', { body: input }) as Promise<Agent>;
  listAgents = async (): Promise<Agent[]> => ((await this.#call('listAgents')) as { agents: Agent[] }).agents;
  getAgent = async (ref: string): Promise<Agent> => this.#call('getAgent', { params: { ref } }) as Promise<Agent>;
  setAgentStatus = async (ref: string, status: AgentStatus): Promise<Agent> => this.#call(STATUS_OPERATION[status], { params: { ref } }) as Promise<Agent>;

  issueKey = async (agentRef: string, opts: { scopes?: string[]; ttlDays?: number }): Promise<IssuedKey> =>
    this.#call('issueKey', { params: { ref: agentRef }, body: opts }) as Promise<IssuedKey>;
  listKeys = async (agentRef?: string): Promise<ApiKeyView[]> => ((await this.#call('listKeys', { query: { agent: agentRef } })) as { keys: ApiKeyView[] }).keys;
  rotateKey = async (keyId: string, opts: { overlapHours?: number; ttlDays?: number }): Promise<IssuedKey & { previous: ApiKeyView }> =>
    this.#call('rotateKey', { params: { id: keyId }, body: opts }) as Promise<IssuedKey & { previous: ApiKeyView }>;
  revokeKey = async (keyId: string): Promise<ApiKeyView> => this.#call('revokeKey', { params: { id: keyId } }) as Promise<ApiKeyView>;

  listRoutes = async (): Promise<RouteConfig[]> => ((await this.#call('listRoutes')) as { routes: RouteConfig[] }).routes;
  listPolicies = async (): Promise<{ version: string; ids: string[]; rules: RuleConfig[]; cedar: string }> =>
    this.#call('listPolicies') as Promise<{ version: string; ids: string[]; rules: RuleConfig[]; cedar: string }>;
  explain = async (agent: string, method: string, path: string): Promise<PolicyExplanation> =>
    this.#call('explainPolicy', { query: { agent, method, path } }) as Promise<PolicyExplanation>;

  queryAudit = async (q: AuditQuery): Promise<AuditRecord[]> => {
    const query = { agent: q.agent, decision: q.decision, kind: q.kind, after: q.afterSeq, limit: q.limit, order: q.order };
    return ((await this.#call('queryAudit', { query })) as { records: AuditRecord[] }).records;
  };
  verifyAudit = async (): Promise<AuditVerification> => this.#call('verifyAudit') as Promise<AuditVerification>;

  setAgentAuthMethods = async (ref: string, methods: ClientAuthMethod[]): Promise<Agent> => this.#call('setAgentAuthMethods', { params: { ref }, body: { methods } }) as Promise<Agent>;
  addAgentKey = async (ref: string, jwk: Record<string, unknown>, opts: { alg?: string; kid?: string }): Promise<AgentKeyRecord> =>
    this.#call('addAgentKey', { params: { ref }, body: { jwk, ...opts } }) as Promise<AgentKeyRecord>;
  listAgentKeys = async (ref: string): Promise<AgentKeyRecord[]> => ((await this.#call('listAgentKeys', { params: { ref } })) as { keys: AgentKeyRecord[] }).keys;
  removeAgentKey = async (ref: string, key: string): Promise<AgentKeyRecord> => this.#call('removeAgentKey', { params: { ref, key } }) as Promise<AgentKeyRecord>;

  issueClientSecret = async (ref: string, opts: { ttlDays?: number }): Promise<IssuedClientSecret> =>
    this.#call('issueClientSecret', { params: { ref }, body: opts }) as Promise<IssuedClientSecret>;
  listClientSecrets = async (ref: string): Promise<ClientSecretView[]> => ((await this.#call('listClientSecrets', { params: { ref } })) as { secrets: ClientSecretView[] }).secrets;
  rotateClientSecret = async (id: string, opts: { overlapHours?: number; ttlDays?: number }): Promise<IssuedClientSecret & { previous: ClientSecretView }> =>
    this.#call('rotateClientSecret', { params: { id }, body: opts }) as Promise<IssuedClientSecret & { previous: ClientSecretView }>;
  revokeClientSecret = async (id: string): Promise<ClientSecretView> => this.#call('revokeClientSecret', { params: { id } }) as Promise<ClientSecretView>;

  putIssuer = async (definition: TrustedIssuerInput): Promise<TrustedIssuerRecord> => this.#call('putIssuer', { body: definition }) as Promise<TrustedIssuerRecord>;
  listIssuers = async (): Promise<TrustedIssuerRecord[]> => ((await this.#call('listIssuers')) as { issuers: TrustedIssuerRecord[] }).issuers;
  removeIssuer = async (name: string): Promise<void> => void (await this.#call('removeIssuer', { params: { name } }));

  listSigningKeys = async (): Promise<SigningKeyView[]> => ((await this.#call('listSigningKeys')) as { keys: SigningKeyView[] }).keys;
  rotateSigningKeys = async (): Promise<SigningKeyRotation> => this.#call('rotateSigningKeys') as Promise<SigningKeyRotation>;
  signingJwks = async (): Promise<PublicJwks> => this.#call('signingJwks') as Promise<PublicJwks>;

  revokeToken = async (jti: string): Promise<RevokedTokenRecord> => this.#call('revokeToken', { params: { jti } }) as Promise<RevokedTokenRecord>;
  tokenRevocation = async (jti: string): Promise<RevokedTokenRecord | null> =>
    ((await this.#call('tokenRevocation', { params: { jti } })) as { revocation: RevokedTokenRecord | null }).revocation;

  async #call(name: OperationName, input: CallInput = {}): Promise<unknown> {
    const op = ADMIN_API[name];
    const path = op.path.replace(/\{(\w+)\}/g, (_, key: string) => encodeURIComponent(input.params?.[key] ?? ''));
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(input.query ?? {})) if (v !== undefined) search.set(k, String(v));
    const url = `${this.#base}${path}${search.size > 0 ? `?${search}` : ''}`;
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}`, accept: 'application/json, application/problem+json' };
    if (op.method === 'POST') headers['content-type'] = 'application/json';
    let res: Awaited<ReturnType<Fetch>>;
    try {
      // redirect: 'manual' so the admin token is never replayed to wherever a redirect points.
      res = await this.#fetch(url, { method: op.method, headers, ...(op.method === 'POST' ? { body: JSON.stringify(input.body ?? {}) } : {}), redirect: 'manual', signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (err) {
      const reason = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new GatehouseError('admin_unreachable', 503, `cannot reach the admin API at ${this.#base} (${reason})`, { expose: true, cause: err });
    }
    const text = await res.text();
    if (res.ok) return parse(text, res.status);
    throw toError(text, res.status, res.headers.get('content-type'));
  }
}

function parse(text: string, status: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new GatehouseError('admin_bad_response', 502, `the admin API answered ${status} with a body that is not JSON`, { expose: true });
  }
}

/** A problem+json answer becomes the error it describes; anything else a generic one. */
function toError(text: string, status: number, contentType: string | null): GatehouseError {
  if (contentType?.startsWith('application/problem+json')) {
    const p = parse(text, status) as { code?: unknown; status?: unknown; detail?: unknown; title?: unknown };
    if (typeof p.code === 'string') {
      const message = typeof p.detail === 'string' ? p.detail : String(p.title ?? 'error');
      return new GatehouseError(p.code, typeof p.status === 'number' ? p.status : status, message, { expose: true });
    }
  }
  return new GatehouseError('admin_bad_response', status, `the admin API answered ${status}`, { expose: true });
}
