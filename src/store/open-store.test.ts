import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openStore, parseStoreUrl } from './open-store.ts';

describe('parseStoreUrl', () => {
  test('sqlite paths resolve against baseDir unless absolute; :memory: stays as is', () => {
    assert.deepEqual(parseStoreUrl('sqlite:./.gatehouse/g.db', '/srv/gh'), { kind: 'sqlite', path: '/srv/gh/.gatehouse/g.db' });
    assert.deepEqual(parseStoreUrl('sqlite:data.db', '/srv/gh'), { kind: 'sqlite', path: '/srv/gh/data.db' });
    assert.deepEqual(parseStoreUrl('sqlite:/var/lib/gh.db', '/srv/gh'), { kind: 'sqlite', path: '/var/lib/gh.db' });
    assert.deepEqual(parseStoreUrl('sqlite::memory:', '/srv/gh'), { kind: 'sqlite', path: ':memory:' });
  });

  test('postgres URLs keep everything but the schema parameter, which is returned separately', () => {
    assert.deepEqual(parseStoreUrl('postgres://u:p@db:5432/gh?schema=tenant_a&sslmode=require'), {
      kind: 'postgres', url: 'postgres://u:p@db:5432/gh?sslmode=require', schema: 'tenant_a',
    });
    assert.deepEqual(parseStoreUrl('postgresql://db/gh'), { kind: 'postgres', url: 'postgresql://db/gh', schema: undefined });
  });

  test('an unknown scheme or empty path is config_invalid naming store.url, without echoing secrets', () => {
    for (const url of ['mysql://root:hunter2@db/gh', 'redis://x', './gh.db', 'sqlite:']) {
      assert.throws(() => parseStoreUrl(url), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'config_invalid');
        assert.match(err.message, /store\.url/);
        assert.doesNotMatch(err.message, /hunter2/);
        return true;
      }, url);
    }
  });
});

describe('openStore', () => {
  test('returns a migrated sqlite store, creating the file under baseDir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-open-'));
    try {
      const store = await openStore('sqlite:./state/gh.db', { baseDir: dir });
      try {
        assert.equal(store.kind, 'sqlite');
        assert.deepEqual(await store.listAgents(), []);
        assert.ok(existsSync(join(dir, 'state', 'gh.db')));
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unreachable postgres fails with the driver error, not a hang', async () => {
    await assert.rejects(openStore('postgres://postgres@127.0.0.1:1/none'), /ECONNREFUSED|connect/);
  });
});
