import { randomBytes } from 'node:crypto';
import type { ProbeResponse } from '../types.ts';

export type Fetch = (path: string) => Promise<ProbeResponse>;

/**
 * Tells "this path exists" from "the server answers every path alike". Many servers return 200 for
 * anything (single-page apps) and gateways return 401 for everything under a protected prefix;
 * counting those as discoveries would fill the inventory with ghosts and the report with false
 * positives. So each directory gets one request for a random name, and a candidate that answers
 * like it is treated as absent.
 */
export class NotFoundBaseline {
  readonly #fetch: Fetch;
  readonly #byDir = new Map<string, Promise<{ res: ProbeResponse; token: string }>>();

  constructor(fetch: Fetch) {
    this.#fetch = fetch;
  }

  /** True when `res` (the answer for `path`) does not show that the path exists. */
  async isMissing(path: string, res: ProbeResponse): Promise<boolean> {
    if (res.status === 0 || res.status === 404 || res.status === 410) return true;
    const dir = path.slice(0, path.replace(/\/+$/, '').lastIndexOf('/') + 1) || '/';
    let pending = this.#byDir.get(dir);
    if (!pending) {
      const token = `gatehouse-scan-${randomBytes(6).toString('hex')}`;
      pending = this.#fetch(`${dir}${token}`).then((r) => ({ res: r, token }));
      this.#byDir.set(dir, pending);
    }
    const { res: base, token } = await pending;
    if (base.status !== res.status) return false;
    if (res.status >= 300) return true;
    // Both 200: the same page with the requested name echoed into it is still the catch-all page.
    const a = base.body.split(token).join('');
    const b = res.body.split(path).join('').split(path.slice(dir.length)).join('');
    return a === b || Math.abs(a.length - b.length) <= Math.max(16, a.length * 0.02);
  }
}
