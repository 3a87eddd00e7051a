import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  API_KEY_LENGTH,
  API_KEY_PATTERN,
  generateApiKey,
  hashApiKey,
  keyHint,
  parseApiKey,
  safeEqualHex,
} from './api-key-format.ts';

const realRandom = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const fixed = (fill: number) => (n: number): Uint8Array => new Uint8Array(n).fill(fill);
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

describe('generateApiKey / parseApiKey', () => {
  it('generates 53-char keys that parse', () => {
    assert.equal(API_KEY_LENGTH, 53);
    for (let i = 0; i < 200; i++) {
      const key = generateApiKey(realRandom);
      assert.equal(key.length, 53);
      assert.match(key, /^gth_[0-9A-Za-z]{49}$/);
      assert.deepEqual(parseApiKey(key), { ok: true });
    }
  });

  it('encodes the random bytes exactly (distinct bytes → distinct keys, extremes fit)', () => {
    const zero = generateApiKey(fixed(0));
    const max = generateApiKey(fixed(0xff));
    assert.equal(zero.slice(4, 47), '0'.repeat(43));
    assert.deepEqual(parseApiKey(zero), { ok: true });
    assert.deepEqual(parseApiKey(max), { ok: true });
    // 2^256 - 1 in base62 must need all 43 digits (leading digit non-zero) — no truncation.
    assert.notEqual(max[4], '0');
    // Changing the last random bit changes the key.
    const a = new Uint8Array(32);
    const b = new Uint8Array(32);
    b[31] = 1;
    assert.notEqual(generateApiKey(() => a), generateApiKey(() => b));
    // Bits in the first byte matter too.
    const c = new Uint8Array(32);
    c[0] = 0x80;
    assert.notEqual(generateApiKey(() => a).slice(4, 47), generateApiKey(() => c).slice(4, 47));
  });

  it('is verifiable independently: base62 body decodes to the bytes, suffix is CRC32 of the head', () => {
    const bytes = realRandom(32);
    const key = generateApiKey(() => bytes);
    let n = 0n;
    for (const ch of key.slice(4, 47)) n = n * 62n + BigInt(ALPHABET.indexOf(ch));
    assert.equal(n.toString(16).padStart(64, '0'), Buffer.from(bytes).toString('hex'));
    let sum = 0n;
    for (const ch of key.slice(47)) sum = sum * 62n + BigInt(ALPHABET.indexOf(ch));
    assert.equal(Number(sum), crc32Of(key.slice(0, 47)));
  });

  it('asks for 32 random bytes and fails closed on a short source', () => {
    let asked = 0;
    generateApiKey((n) => {
      asked = n;
      return new Uint8Array(n);
    });
    assert.equal(asked, 32);
    assert.throws(() => generateApiKey(() => new Uint8Array(16)));
    assert.throws(() => generateApiKey(() => new Uint8Array(33)));
  });

  it('rejects every single-character substitution (checksum)', () => {
    const key = generateApiKey(realRandom);
    let rejected = 0;
    for (let i = 4; i < key.length; i++) {
      for (const ch of ['0', 'a', 'Z', 'q']) {
        if (key[i] === ch) continue;
        const mutated = key.slice(0, i) + ch + key.slice(i + 1);
        assert.deepEqual(parseApiKey(mutated), { ok: false, reason: 'credential_malformed' }, `pos ${i}`);
        rejected++;
      }
    }
    assert.ok(rejected > 150);
  });

  it('rejects swapped adjacent characters', () => {
    const key = generateApiKey(realRandom);
    for (let i = 4; i < key.length - 1; i++) {
      if (key[i] === key[i + 1]) continue;
      const swapped = key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
      assert.equal(parseApiKey(swapped).ok, false, `pos ${i}`);
    }
  });

  it('rejects whitespace, newlines, case and prefix variants (case 22)', () => {
    const key = generateApiKey(realRandom);
    const variants = [
      `${key}\n`, `${key}\r\n`, `${key} `, ` ${key}`, `\t${key}`, `${key}\u0000`, `${key}\u00a0`, `${key}\u200b`,
      key.slice(0, -1), `${key}a`, key.replace('gth_', 'GTH_'), key.replace('gth_', 'ghp_'), key.replace('gth_', 'gth-'),
      key.slice(4), `Bearer ${key}`, `${key.slice(0, 20)}\n${key.slice(20)}`, key.replace(/.$/, '='),
      '', 'gth_', 'gth_' + '0'.repeat(49), `${key}${key}`,
    ];
    for (const v of variants) assert.deepEqual(parseApiKey(v), { ok: false, reason: 'credential_malformed' }, JSON.stringify(v));
    assert.equal(parseApiKey(undefined as unknown as string).ok, false);
    assert.equal(parseApiKey(42 as unknown as string).ok, false);
  });

  it('rejects a random part above 2^256 even with a correct checksum', () => {
    // 'z' * 43 is 62^43 - 1 > 2^256 - 1: well-formed charset, impossible for the generator.
    const head = 'gth_' + 'z'.repeat(43);
    // Recompute the checksum the same way a forger would.
    let n = BigInt(crc32Of(head));
    let sum = '';
    for (let i = 0; i < 6; i++) {
      sum = ALPHABET[Number(n % 62n)] + sum;
      n /= 62n;
    }
    assert.equal(parseApiKey(head + sum).ok, false);
  });
});

describe('API_KEY_PATTERN', () => {
  it('finds keys in text a scanner would see', () => {
    const key = generateApiKey(realRandom);
    for (const text of [key, `export GATEHOUSE_KEY=${key}`, `"apiKey": "${key}"`, `Authorization: Bearer ${key}\n`]) {
      assert.equal(API_KEY_PATTERN.exec(text)?.[0], key, text);
    }
  });
  it('does not match truncated or embedded-in-longer-token strings', () => {
    const key = generateApiKey(realRandom);
    assert.equal(API_KEY_PATTERN.test(key.slice(0, -1)), false);
    assert.equal(API_KEY_PATTERN.test(`${key}X`), false);
    assert.equal(API_KEY_PATTERN.test(`xgth_${key.slice(4)}`), false);
    assert.equal(API_KEY_PATTERN.global, false);
  });
});

describe('hashApiKey', () => {
  const key = 'gth_example';
  it('is HMAC-SHA-256 hex and deterministic', () => {
    const h = hashApiKey('secret-one-0123456789', key);
    assert.match(h, /^[0-9a-f]{64}$/);
    assert.equal(h, hashApiKey('secret-one-0123456789', key));
    assert.equal(h, hashApiKey(new TextEncoder().encode('secret-one-0123456789'), key));
  });
  it('is keyed: another secret or another key gives another hash', () => {
    const h = hashApiKey('secret-one-0123456789', key);
    assert.notEqual(h, hashApiKey('secret-two-0123456789', key));
    assert.notEqual(h, hashApiKey('secret-one-0123456789', `${key}x`));
    assert.ok(!h.includes(key));
  });
  it('refuses an empty secret', () => {
    assert.throws(() => hashApiKey('', key));
    assert.throws(() => hashApiKey(new Uint8Array(0), key));
  });
});

describe('safeEqualHex', () => {
  const table: [string, string, boolean][] = [
    ['abcd', 'abcd', true],
    ['abcd', 'abce', false],
    ['abcd', 'abc', false],
    ['abc', 'abcd', false],
    ['', '', true],
    ['', 'a', false],
    ['ABCD', 'abcd', false],
    ['é', 'e\u0301', false],
  ];
  for (const [a, b, expected] of table) {
    it(`${JSON.stringify(a)} vs ${JSON.stringify(b)} → ${expected}`, () => assert.equal(safeEqualHex(a, b), expected));
  }
});

describe('keyHint', () => {
  it('shows the prefix and 4 random characters only', () => {
    const key = generateApiKey(realRandom);
    const hint = keyHint(key);
    assert.equal(hint, `${key.slice(0, 8)}…`);
    assert.ok(hint.startsWith('gth_'));
    assert.equal(keyHint('gth_AbCdEfGh'), 'gth_AbCd…');
  });
});

function crc32Of(s: string): number {
  // Independent bitwise CRC-32 (IEEE), so the test does not just mirror the implementation.
  let c = ~0;
  for (const b of new TextEncoder().encode(s)) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}
