/**
 * A bounded LRU map. A Map iterates in insertion order, so re-inserting on every hit keeps the
 * least recently used entry first, and eviction drops that one. `maxSize` 0 disables caching.
 */
export class LruCache<V> {
  readonly maxSize: number;
  readonly #map = new Map<string, V>();

  constructor(maxSize: number) {
    if (!Number.isInteger(maxSize) || maxSize < 0) throw new RangeError('cache size must be a non-negative integer');
    this.maxSize = maxSize;
  }

  get size(): number {
    return this.#map.size;
  }

  /** The cached value, marked most recently used; undefined on a miss. */
  get(key: string): V | undefined {
    const value = this.#map.get(key);
    if (value === undefined) return undefined;
    this.#map.delete(key);
    this.#map.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    if (this.maxSize === 0) return;
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.maxSize) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
  }
}
