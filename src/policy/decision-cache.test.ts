import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LruCache } from './decision-cache.ts';

test('LruCache keeps at most maxSize entries and evicts the least recently used', () => {
  const cache = new LruCache<number>(2);
  cache.set('a', 1);
  cache.set('b', 2);
  assert.equal(cache.get('a'), 1); // a is now the most recent
  cache.set('c', 3);
  assert.equal(cache.size, 2);
  assert.equal(cache.get('b'), undefined);
  assert.equal(cache.get('a'), 1);
  assert.equal(cache.get('c'), 3);
  cache.set('c', 4); // overwrite does not grow
  assert.equal(cache.size, 2);
  assert.equal(cache.get('c'), 4);
});

test('LruCache of size 0 stores nothing; a bad size is refused', () => {
  const cache = new LruCache<number>(0);
  cache.set('a', 1);
  assert.equal(cache.get('a'), undefined);
  assert.equal(cache.size, 0);
  assert.throws(() => new LruCache(-1), RangeError);
  assert.throws(() => new LruCache(1.5), RangeError);
});
