/**
 * One base error for the whole system. `code` is stable (clients and tests match on it),
 * `status` is the HTTP status, `expose` says whether `message` may be shown to the caller.
 * 5xx errors never expose internals: their wire message is a generic one.
 */
export class GatehouseError extends Error {
  readonly code: string;
  readonly status: number;
  readonly expose: boolean;
  readonly headers: Record<string, string> | undefined;

  constructor(code: string, status: number, message: string, options?: { expose?: boolean; cause?: unknown; headers?: Record<string, string> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatehouseError';
    this.code = code;
    this.status = status;
    this.expose = options?.expose ?? status < 500;
    this.headers = options?.headers;
  }
}

/** A user mistake in configuration: names the offending path. */
export class ConfigError extends GatehouseError {
  readonly issues: readonly string[];
  constructor(issues: readonly string[]) {
    super('config_invalid', 400, `invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export const badRequest = (code: string, message: string): GatehouseError => new GatehouseError(code, 400, message);
export const notFound = (code: string, message: string): GatehouseError => new GatehouseError(code, 404, message);
export const conflict = (code: string, message: string): GatehouseError => new GatehouseError(code, 409, message);

/** RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 408: 'Request Timeout', 413: 'Content Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** The reason phrase for an HTTP status. */
export function statusTitle(status: number): string {
  return TITLES[status] ?? 'Error';
}

/** Maps any thrown value to a problem document that is safe to send. */
export function toProblem(err: unknown, instance?: string): Problem {
  const e = err instanceof GatehouseError ? err : new GatehouseError('internal_error', 500, 'internal error', { expose: false, cause: err });
  const problem: Problem = {
    type: `https://gatehouse.dev/problems/${e.code}`,
    title: statusTitle(e.status),
    status: e.status,
    code: e.code,
  };
  problem.detail = e.expose ? e.message : 'the server could not complete the request';
  if (instance !== undefined) problem.instance = instance;
  return problem;
}
