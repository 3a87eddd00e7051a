import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatehouseError, notFound } from '../core/errors.ts';
import type { Logger } from '../obs/logger.ts';
import type { Metrics } from '../obs/metrics.ts';
import { ADMIN_API, type Operation, type OperationInput, type OperationName } from './admin-api.ts';
import type { AdminOps } from './admin-ops.ts';
import { bindHandlers, Reply, type Readiness } from './admin-routes.ts';
import { parseJsonBody, parseQuery, readBody, send, sendJson, sendProblem, validate } from './http-io.ts';
import { buildOpenApi } from './openapi.ts';
import { decodeParams, PathMatcher } from './path-matcher.ts';

export interface AdminHandlerDeps {
  ops: AdminOps;
  /** Checks a presented admin token (constant-time; see admin-token.ts). */
  verifyToken(token: string): Promise<boolean>;
  metrics: Metrics;
  ready(): Promise<Readiness>;
  logger: Logger;
  /** Request body limit (default 64 KiB: admin bodies are small). */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY = 64 * 1024;
const REALM = 'Bearer realm="gatehouse-admin"';
const BEARER = /^bearer ([\x21-\x7e]+)$/i;

/**
 * The admin API as a plain node:http handler (the caller owns the listener and its limits).
 * Order: route lookup → admin token (everything but the health probes) → 404/405 → query/body
 * validation → operation. The token check comes before 404/405 so that an unauthenticated caller
 * learns nothing about which paths exist.
 */
export function createAdminHandler(deps: AdminHandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  let openapi: unknown;
  const handlers = bindHandlers({ ops: deps.ops, metrics: deps.metrics, ready: deps.ready, openapi: () => (openapi ??= buildOpenApi()) });
  const matcher = new PathMatcher<OperationName>(ADMIN_API);
  const maxBody = deps.maxBodyBytes ?? DEFAULT_MAX_BODY;
  return (req, res) => {
    const started = performance.now();
    serve(req, res).then(
      () => deps.logger.debug({ method: req.method, path: splitTarget(req.url)[0], status: res.statusCode, ms: performance.now() - started }, 'admin request'),
      (err: unknown) => {
        const status = err instanceof GatehouseError ? err.status : 500;
        if (status >= 500) deps.logger.error({ err, method: req.method, path: splitTarget(req.url)[0] }, 'admin request failed');
        sendProblem(res, err);
      },
    );
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [path, search] = splitTarget(req.url);
    const match = matcher.match(req.method ?? 'GET', path);
    const isPublic = match.ok && (ADMIN_API[match.name] as Operation).public === true;
    if (!isPublic) await authenticate(req.headers.authorization);
    if (!match.ok) {
      if (match.allow.length === 0) throw notFound('not_found', 'no such endpoint');
      throw new GatehouseError('method_not_allowed', 405, `use ${match.allow.join(' or ')}`, { headers: { allow: match.allow.join(', ') } });
    }
    const op: Operation = ADMIN_API[match.name];
    const query = validate(op.query, parseQuery(search), 'query');
    const body = op.body ? validate(op.body, parseJsonBody(await readBody(req, maxBody), req.headers['content-type']), 'body') : undefined;
    // The table ties each name to its own input type; TypeScript cannot follow that through the lookup.
    const run = handlers[match.name] as (input: OperationInput<OperationName>) => Promise<unknown>;
    const result = await run({ params: decodeParams(match.params), query, body } as OperationInput<OperationName>);
    if (result instanceof Reply) send(res, result.status, result.contentType, result.text);
    else sendJson(res, op.status ?? 200, result);
  }

  async function authenticate(header: string | undefined): Promise<void> {
    const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
    if (token === undefined) {
      throw new GatehouseError('admin_token_required', 401, 'this endpoint needs the admin token (Authorization: Bearer gta_…)', { headers: { 'www-authenticate': REALM } });
    }
    if (!(await deps.verifyToken(token))) {
      throw new GatehouseError('admin_token_required', 401, 'the admin token is not valid', { headers: { 'www-authenticate': `${REALM}, error="invalid_token"` } });
    }
  }
}

/** [path, query string]; logs get only the path (queries may name agents). */
function splitTarget(url: string | undefined): [string, string] {
  const target = url ?? '/';
  const q = target.indexOf('?');
  return q === -1 ? [target, ''] : [target.slice(0, q), target.slice(q + 1)];
}
