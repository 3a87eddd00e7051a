import { badRequest } from '../core/errors.ts';
import { AUDIT_COLUMNS } from './row-mapping.ts';
import type { AuditQuery } from './store.ts';

/** The hard ceiling on one page of audit records, whatever the caller asks for. */
export const MAX_AUDIT_PAGE = 10_000;

/**
 * Builds the parameterized SELECT for queryAudit, in the `$n` placeholder style of sql.ts.
 * Only fixed SQL fragments are concatenated; every caller-supplied value is a bind parameter.
 */
export function buildAuditQuery(q: AuditQuery): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const bind = (v: unknown): string => {
    params.push(v);
    return `$${params.length}`;
  };
  if (q.afterSeq !== undefined) where.push(`seq > ${bind(q.afterSeq)}`);
  if (q.agent !== undefined) where.push(`(agent_id = ${bind(q.agent)} OR agent_name = ${bind(q.agent)})`);
  if (q.decision !== undefined) where.push(`decision = ${bind(q.decision)}`);
  if (q.kind !== undefined) where.push(`kind = ${bind(q.kind)}`);
  const order = q.order === 'desc' ? 'DESC' : 'ASC';
  const sql = `SELECT ${AUDIT_COLUMNS} FROM audit_log${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${order} LIMIT ${bind(pageSize(q.limit))}`;
  return { sql, params };
}

/** Validates a page size: a positive integer, capped at MAX_AUDIT_PAGE. */
export function pageSize(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) throw badRequest('limit_invalid', `limit must be a positive integer, got ${String(limit)}`);
  return Math.min(limit, MAX_AUDIT_PAGE);
}
