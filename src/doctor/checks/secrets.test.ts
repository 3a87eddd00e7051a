import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret } from '../../core/secret.ts';
import { secretVerdicts, storeVerdicts } from './secrets.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-doctor-secrets-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const spec = (file: string) => ({ what: 'master key', field: 'secrets.masterKeyFile', envName: 'GATEHOUSE_MASTER_KEY', file });
const found = { ok: true, secret: new Secret('x'.repeat(43)), source: 'file' } as const;
const lines = (rs: Array<{ status: string; message: string }>) => rs.map((r) => `${r.status} ${r.message}`);

describe('secretVerdicts', () => {
  it('a 0600 file passes; a group/world-readable one fails; a missing one fails; the env var wins', () => {
    const file = join(dir, 'master.key');
    writeFileSync(file, 'k'.repeat(43), { mode: 0o600 });
    assert.deepEqual(lines(secretVerdicts(spec(file), {}, found)), [`pass master key file ${file} is mode 0600`]);
    chmodSync(file, 0o640);
    assert.deepEqual(lines(secretVerdicts(spec(file), {}, found)), [`fail master key file ${file} is mode 0640 (readable by group/others)`]);
    assert.deepEqual(lines(secretVerdicts(spec(join(dir, 'nope')), {}, { ok: false, reason: 'missing' })), [
      `fail master key missing: ${join(dir, 'nope')} does not exist and GATEHOUSE_MASTER_KEY is not set`,
    ]);
    assert.deepEqual(lines(secretVerdicts(spec(join(dir, 'nope')), { GATEHOUSE_MASTER_KEY: 'k'.repeat(43) }, found)), ['pass master key from GATEHOUSE_MASTER_KEY']);
  });

  it('a secret that exists but cannot be used (too short) fails with the reason', () => {
    const file = join(dir, 'short.key');
    writeFileSync(file, 'short', { mode: 0o600 });
    assert.deepEqual(lines(secretVerdicts(spec(file), {}, { ok: false, reason: 'holds fewer than 32 characters' })), ['fail master key unusable: holds fewer than 32 characters']);
  });
});

describe('storeVerdicts', () => {
  it('SQLite: database, -wal and -shm 0600 in a 0700 directory pass; a loose file or directory fails', () => {
    const d = join(dir, 'store');
    mkdirSync(d, { mode: 0o700 });
    const db = join(d, 'g.db');
    writeFileSync(db, '', { mode: 0o600 });
    writeFileSync(`${db}-wal`, '', { mode: 0o600 });
    assert.deepEqual(lines(storeVerdicts(`sqlite:${db}`, dir, {})), [`pass store file ${db} (and its -wal/-shm) is mode 0600`, `pass store directory ${d} is mode 0700`]);
    chmodSync(`${db}-wal`, 0o644);
    chmodSync(d, 0o755);
    assert.deepEqual(lines(storeVerdicts(`sqlite:${db}`, dir, {})), [
      `fail store file ${db}-wal is mode 0644 (readable by group/others)`, `fail store directory ${d} is mode 0755 (open to group/others)`,
    ]);
  });

  it('SQLite: a missing file fails; in memory warns', () => {
    assert.deepEqual(lines(storeVerdicts('sqlite:./none.db', dir, {})), [`fail store file ${join(dir, 'none.db')} does not exist`]);
    assert.match(lines(storeVerdicts('sqlite::memory:', dir, {}))[0]!, /^warn the store is in memory/);
  });

  it('PostgreSQL: a password in the config file warns (not when the URL comes from the environment); TLS off-machine', () => {
    assert.deepEqual(lines(storeVerdicts('postgres://gh:hunter2@127.0.0.1/g', dir, {})), ['warn store.url in the config file embeds a password']);
    assert.deepEqual(lines(storeVerdicts('postgres://gh:hunter2@127.0.0.1/g', dir, { GATEHOUSE_STORE_URL: 'postgres://gh:hunter2@127.0.0.1/g' })), ['pass store.url comes from GATEHOUSE_STORE_URL, not the config file']);
    assert.deepEqual(lines(storeVerdicts('postgres://gh@db.internal/g', dir, {})), ['pass store.url holds no password', 'warn the PostgreSQL store at db.internal is not required to use TLS']);
    assert.deepEqual(lines(storeVerdicts('postgres://gh@db.internal/g?sslmode=verify-full', dir, {})), ['pass store.url holds no password']);
  });
});
