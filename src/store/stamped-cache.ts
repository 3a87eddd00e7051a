import type { Store } from './store.ts';

/**
 * A read-through cache that is valid only while the store's change stamp stays the same: any
 * change to agents, credentials, keys or revocations — in any process — empties it, so a
 * revocation or suspension applies to the very next request. Stores without a stamp are never
 * cached. `undefined` results (unknown ids) are never cached either.
 */
export class StampedCache<V> {
  readonly #store: Pick<Store, 'changeStamp'>;
  readonly #max: number;
  readonly #entries = new Map<string, V>();
  #stamp: string | undefined;

  constructor(store: Pick<Store, 'changeStamp'>, max = 10_000) {
    this.#store = store;
    this.#max = max;
  }

  async get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const stampOf = this.#store.changeStamp;
    const stamp = stampOf?.();
    if (stamp !== this.#stamp) {
      this.#entries.clear();
      this.#stamp = stamp;
    } else if (stamp !== undefined) {
      const hit = this.#entries.get(key);
      if (hit !== undefined) return hit;
    }
    const value = await load();
    // Cache only if nothing changed while we were reading (another caller may have reset the cache meanwhile).
    if (value !== undefined && stampOf && stamp === this.#stamp && stampOf() === stamp) {
      if (this.#entries.size >= this.#max) this.#entries.clear();
      this.#entries.set(key, value);
    }
    return value;
  }
}
