// The bytes on the wire: what the prober sends as a request target and keeps of a response.

/**
 * Characters undici refuses in a request target (outside 0x21–0xff) and bytes 0x80–0xff, which it
 * would send as Latin-1, are percent-encoded as UTF-8; nothing else is touched. `..`, `//`, `%2f`,
 * `\` and `;` reach the target exactly as the check wrote them (bypass checks depend on it).
 */
export function requestTarget(target: string): string {
  const t = target.startsWith('/') ? target : `/${target}`;
  return t.replace(/[^\x21-\x7e]/gu, (c) => (c.length === 1 && c >= '\ud800' && c <= '\udfff' ? '%EF%BF%BD' : encodeURIComponent(c)));
}

/** Merges header sets case-insensitively; later sets win (a check's header replaces a default). */
export function mergeHeaders(...sets: Array<Record<string, string> | undefined>): Record<string, string> {
  const byName = new Map<string, [string, string]>();
  for (const set of sets) for (const [k, v] of Object.entries(set ?? {})) byName.set(k.toLowerCase(), [k, v]);
  return Object.fromEntries(byName.values());
}

/** Reads at most `max` bytes of a body, then drops the rest (and with it the connection). */
export async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= max) {
      // Enough to judge; the rest is not worth the time (the connection is dropped with it).
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

/** undici's header object as one lower-case string per name (repeated headers joined with `, `). */
export function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
