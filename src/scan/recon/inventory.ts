import type { Endpoint } from '../types.ts';

// Documentation knows parameters; a wordlist hit or a link only knows that a path answers.
const RANK: Record<Endpoint['source'], number> = { openapi: 3, 'docs-page': 2, wordlist: 1, link: 0 };

const templateRegex = (path: string): RegExp =>
  new RegExp(`^${path.split(/\{[^}/]+\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')}/?$`);

/**
 * The endpoint inventory: one entry per method and path. A documented entry replaces a guessed
 * one, and a concrete path that a documented template covers (`/api/agents/1` under
 * `/api/agents/{id}`) is dropped, so checks test each operation once.
 */
export class Inventory {
  readonly #byKey = new Map<string, Endpoint>();

  /** Adds an endpoint; false when it was already known (or covered by a template). */
  add(endpoint: Endpoint): boolean {
    const method = endpoint.method.toUpperCase();
    const e = { ...endpoint, method };
    const key = `${method} ${e.path}`;
    const existing = this.#byKey.get(key);
    if (existing) {
      if (RANK[e.source] <= RANK[existing.source]) return false;
      this.#byKey.set(key, e);
      return true;
    }
    if (!e.path.includes('{') && this.#coveredByTemplate(method, e.path)) return false;
    if (e.path.includes('{')) {
      // A template arriving later replaces concrete guesses it covers.
      const re = templateRegex(e.path);
      for (const [k, other] of this.#byKey) if (other.method === method && !other.path.includes('{') && re.test(other.path) && RANK[other.source] < RANK[e.source]) this.#byKey.delete(k);
    }
    this.#byKey.set(key, e);
    return true;
  }

  /** True when some method of `path` is known (exactly or by template). */
  knowsPath(path: string): boolean {
    for (const e of this.#byKey.values()) if (e.path === path || (e.path.includes('{') && templateRegex(e.path).test(path))) return true;
    return false;
  }

  get size(): number {
    return this.#byKey.size;
  }

  /** Sorted by path, then method. */
  list(): Endpoint[] {
    return [...this.#byKey.values()].sort((a, b) => (a.path === b.path ? a.method.localeCompare(b.method) : a.path < b.path ? -1 : 1));
  }

  #coveredByTemplate(method: string, path: string): boolean {
    for (const e of this.#byKey.values()) if (e.method === method && e.path.includes('{') && RANK[e.source] > RANK.wordlist && templateRegex(e.path).test(path)) return true;
    return false;
  }
}
