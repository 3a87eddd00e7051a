import type { Metrics } from '../obs/metrics.ts';
import type { OperationInput, OperationName } from './admin-api.ts';
import type { AdminOps } from './admin-ops.ts';

/** A reply that is not the operation's default JSON (a different status or a text body). */
export class Reply {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  constructor(status: number, contentType: string, text: string) {
    this.status = status;
    this.contentType = contentType;
    this.text = text;
  }
}

export type Handlers = { [K in OperationName]: (input: OperationInput<K>) => Promise<unknown> };

export interface Readiness {
  ok: boolean;
  checks: Record<string, string>;
}

const DEFAULT_AUDIT_LIMIT = 100;

/** Binds every admin API operation to AdminOps (and the process's metrics and readiness). */
export function bindHandlers(deps: { ops: AdminOps; metrics: Metrics; ready(): Promise<Readiness>; openapi(): unknown }): Handlers {
  const { ops } = deps;
  return {
    listAgents: async () => ({ agents: await ops.listAgents() }),
    createAgent: ({ body }) => ops.createAgent(body),
    getAgent: ({ params }) => ops.getAgent(params.ref!),
    suspendAgent: ({ params }) => ops.setAgentStatus(params.ref!, 'suspended'),
    resumeAgent: ({ params }) => ops.setAgentStatus(params.ref!, 'active'),
    revokeAgent: ({ params }) => ops.setAgentStatus(params.ref!, 'revoked'),
    issueKey: ({ params, body }) => ops.issueKey(params.ref!, body),
    listKeys: async ({ query }) => ({ keys: await ops.listKeys(query.agent) }),
    rotateKey: ({ params, body }) => ops.rotateKey(params.id!, body),
    revokeKey: ({ params }) => ops.revokeKey(params.id!),
    listRoutes: async () => ({ routes: await ops.listRoutes() }),
    listPolicies: () => ops.listPolicies(),
    explainPolicy: ({ query }) => ops.explain(query.agent, query.method, query.path),
    queryAudit: async ({ query: q }) => {
      const query = { agent: q.agent, decision: q.decision, kind: q.kind, afterSeq: q.after, limit: q.limit ?? DEFAULT_AUDIT_LIMIT, order: q.order ?? 'desc' } as const;
      return { records: await ops.queryAudit(query) };
    },
    verifyAudit: () => ops.verifyAudit(),
    setAgentAuthMethods: ({ params, body }) => ops.setAgentAuthMethods(params.ref!, body.methods),
    listAgentKeys: async ({ params }) => ({ keys: await ops.listAgentKeys(params.ref!) }),
    addAgentKey: ({ params, body }) => ops.addAgentKey(params.ref!, body.jwk, { alg: body.alg, kid: body.kid }),
    removeAgentKey: ({ params }) => ops.removeAgentKey(params.ref!, params.key!),
    issueClientSecret: ({ params, body }) => ops.issueClientSecret(params.ref!, body),
    listClientSecrets: async ({ params }) => ({ secrets: await ops.listClientSecrets(params.ref!) }),
    rotateClientSecret: ({ params, body }) => ops.rotateClientSecret(params.id!, body),
    revokeClientSecret: ({ params }) => ops.revokeClientSecret(params.id!),
    listIssuers: async () => ({ issuers: await ops.listIssuers() }),
    putIssuer: ({ body }) => ops.putIssuer(body),
    removeIssuer: async ({ params }) => {
      await ops.removeIssuer(params.name!);
      return { removed: params.name! };
    },
    listSigningKeys: async () => ({ keys: await ops.listSigningKeys() }),
    rotateSigningKeys: () => ops.rotateSigningKeys(),
    signingJwks: () => ops.signingJwks(),
    tokenRevocation: async ({ params }) => ({ revocation: await ops.tokenRevocation(params.jti!) }),
    revokeToken: ({ params }) => ops.revokeToken(params.jti!),
    openapi: async () => deps.openapi(),
    metrics: async () => new Reply(200, deps.metrics.registry.contentType, await deps.metrics.registry.metrics()),
    healthz: async () => ({ status: 'ok' }),
    readyz: async () => readiness(deps.ready),
  };
}

/** Check names with ok/fail only: a probe must not reveal error messages, hosts or versions. */
async function readiness(ready: () => Promise<Readiness>): Promise<Reply> {
  let r: Readiness;
  try {
    r = await ready();
  } catch {
    r = { ok: false, checks: {} };
  }
  const checks = Object.fromEntries(Object.entries(r.checks).map(([name, v]) => [name, v === 'ok' ? 'ok' : 'fail']));
  const ok = r.ok && Object.values(checks).every((v) => v === 'ok');
  return new Reply(ok ? 200 : 503, 'application/json; charset=utf-8', JSON.stringify({ status: ok ? 'ready' : 'not_ready', checks }));
}
