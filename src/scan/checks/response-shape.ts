import type { ProbeResponse } from '../types.ts';

// Pure comparisons of responses, shared by the checks: "did this return data", "how many items",
// "are these two answers the same page". Kept coarse on purpose: echoes of the request (a search
// term, a path) must not make two otherwise identical pages look different.

export type Shape = Pick<ProbeResponse, 'status' | 'body'> & { headers?: Record<string, string> };

export const is2xx = (status: number): boolean => status >= 200 && status < 300;
/** 401/403: the target refused for want of (valid) credentials. */
export const isRefusal = (status: number): boolean => status === 401 || status === 403;

const TRIVIAL = new Set(['', '[]', '{}', 'null', '""', 'ok', 'OK', 'true', 'false']);

/** A 2xx with a body that carries something (not empty, not `[]`/`{}`/`ok`). */
export function returnsContent(res: Shape): boolean {
  if (!is2xx(res.status)) return false;
  const body = res.body.trim();
  if (TRIVIAL.has(body)) return false;
  const json = parseJson(body);
  if (json !== undefined && json !== null && typeof json === 'object') {
    return Array.isArray(json) ? json.length > 0 : Object.keys(json).length > 0;
  }
  return body.length >= 3;
}

/** The body as JSON, or undefined when it is not JSON. */
export function parseJson(body: string): unknown {
  const t = body.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

const LIST_KEYS = ['results', 'items', 'data', 'rows', 'records', 'hits', 'entries', 'list', 'objects', 'matches'];

/** Number of items in a JSON list answer (a top-level array, or `{results|items|data|…: [...]}`). */
export function itemCount(body: string): number | undefined {
  const json = parseJson(body);
  if (Array.isArray(json)) return json.length;
  if (json && typeof json === 'object') {
    const obj = json as Record<string, unknown>;
    for (const k of LIST_KEYS) if (Array.isArray(obj[k])) return (obj[k] as unknown[]).length;
    const arrays = Object.values(obj).filter(Array.isArray);
    if (arrays.length === 1) return arrays[0]!.length;
  }
  return undefined;
}

const lengthClose = (a: number, b: number, slack: number): boolean => Math.abs(a - b) <= Math.max(slack, 0.05 * Math.max(a, b));

/** Same status and (item count or, failing that, body length within 5% / 16 bytes): the same page. */
export function samePage(a: Shape, b: Shape): boolean {
  if (a.status !== b.status) return false;
  const ca = itemCount(a.body);
  const cb = itemCount(b.body);
  if (ca !== undefined && cb !== undefined) return ca === cb && lengthClose(a.body.length, b.body.length, 64);
  return lengthClose(a.body.length, b.body.length, 16);
}

/** Clearly different: status class, item count, or body length by more than 20% / 32 bytes. */
export function clearlyDifferent(a: Shape, b: Shape): boolean {
  if (is2xx(a.status) !== is2xx(b.status)) return true;
  const ca = itemCount(a.body);
  const cb = itemCount(b.body);
  if (ca !== undefined && cb !== undefined) return ca !== cb;
  const [la, lb] = [a.body.length, b.body.length];
  return Math.abs(la - lb) > Math.max(32, 0.2 * Math.max(la, lb));
}

/** "More" data: more items, or (without counts) a longer body. */
export function moreThan(a: Shape, b: Shape): boolean {
  const ca = itemCount(a.body);
  const cb = itemCount(b.body);
  if (ca !== undefined && cb !== undefined) return ca > cb;
  return a.body.length > b.body.length;
}

const SENSITIVE_FIELD = /"[^"]*(password|passwd|secret|token|api[_-]?key|private[_-]?key|credential|access[_-]?key)[^"]*"\s*:/i;

/** Records (a list of objects) or fields named like secrets: the body is the platform's data. */
export function looksLikeRecords(body: string): boolean {
  if (SENSITIVE_FIELD.test(body)) return true;
  const json = parseJson(body);
  if (Array.isArray(json)) return json.some((x) => x !== null && typeof x === 'object');
  const n = itemCount(body);
  return n !== undefined && n > 0;
}
