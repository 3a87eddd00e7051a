import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor, excerpt, oneLine, redact, REDACTED } from './redact.ts';

const GTH = `gth_${'A1b2C3d4E5'.repeat(4)}abcdefghi`; // 53 chars, the real format
const GCS = `gcs_${'Z9y8X7w6V5'.repeat(4)}abcdefghi`;
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcHMtYWdlbnQifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc==\n-----END RSA PRIVATE KEY-----';

// [what, input, must not contain, must contain]
const CASES: Array<[string, string, string[], string[]]> = [
  ['Authorization header line', 'Authorization: Bearer abcdefghijkl', ['abcdefghijkl'], ['Authorization: [REDACTED]']],
  ['Cookie header line', 'cookie: session=s3cr3tvalue; theme=dark', ['s3cr3tvalue'], ['cookie: [REDACTED]']],
  ['Set-Cookie header line', 'Set-Cookie: sid=xyz123456; HttpOnly', ['xyz123456'], ['Set-Cookie: [REDACTED]']],
  ['X-API-Key header line', 'X-API-Key: k-1234567890', ['k-1234567890'], ['X-API-Key: [REDACTED]']],
  ['header in a JSON object', '{"authorization":"Basic dXNlcjpwYXNz","x":1}', ['dXNlcjpwYXNz'], ['"authorization":"[REDACTED]"', '"x":1']],
  ['header in a log line', 'POST /v1 authorization="Bearer tok_abcdefgh" status=200', ['tok_abcdefgh'], ['status=200']],
  ['gth_ API key', `key is ${GTH}.`, [GTH.slice(4)], ['gth_[REDACTED].']],
  ['gcs_ client secret', `{"k":"${GCS}"}`, [GCS.slice(4)], ['gcs_[REDACTED]']],
  ['JWT anywhere', `token ${JWT} end`, ['eyJzdWIiOiJvcHMtYWdlbnQifQ', 'c2lnbmF0dXJl'], ['[REDACTED](jwt) end']],
  ['unsigned JWT (alg none)', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', ['eyJzdWIiOiJ4In0'], ['[REDACTED](jwt)']],
  ['password JSON value', '{"user":"ann","password":"hunter2!"}', ['hunter2!'], ['"password":"[REDACTED]"', '"user":"ann"']],
  ['secret/token/api_key JSON values', '{"client_secret":"cs1","access_token":"at1","OPENAI_API_KEY":"k1","apiKey":"k2"}', ['cs1', 'at1', '"k1"', '"k2"'], []],
  ['escaped quotes inside a secret value', String.raw`{"secret":"a\"b\"c","n":2}`, ['a\\"b'], ['"n":2']],
  ['non-string secret values stay (they are not secrets)', '{"token_count":12,"password_set":true}', [], ['"token_count":12', '"password_set":true']],
  ['query-string credentials', 'GET /api/x?api_key=abc123&page=2', ['abc123'], ['api_key=[REDACTED]&page=2']],
  ['env file assignments', 'DB_PASSWORD=pa55word\nSECRET_KEY=zzz999\nDEBUG=true', ['pa55word', 'zzz999'], ['DEBUG=true']],
  ['AWS access key id', 'aws AKIAIOSFODNN7EXAMPLE here', ['IOSFODNN7EXAMPLE'], ['AKIA[REDACTED] here']],
  ['provider key (sk-…)', 'use sk-test-FIXTUREonly0000000000000000 now', ['FIXTUREonly'], ['sk-[REDACTED] now']],
  ['PEM private key block', `x ${PEM} y`, ['MIIEowIBAAKCAQEA7', 'abc=='], ['-----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY----- y']],
  ['PEM key JSON-escaped and cut off', '{"key":"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkq', ['MIIEvQIBADANBgkq'], ['[REDACTED]']],
  ['password in a connection URL', 'postgres://agenthub:Sup3rS3cret@db.internal:5432/x', ['Sup3rS3cret'], ['postgres://agenthub:[REDACTED]@db.internal']],
  ['plain text is left alone', 'GET /api/search?query=agent returned 3 rows', [], ['GET /api/search?query=agent returned 3 rows']],
  ['a public key is left alone', '-----BEGIN PUBLIC KEY-----\nMFkwEw', [], ['MFkwEw']],
];

for (const [what, input, gone, kept] of CASES) {
  test(`redact: ${what}`, () => {
    const out = redact(input);
    for (const g of gone) assert.ok(!out.includes(g), `"${g}" survived in: ${out}`);
    for (const k of kept) assert.ok(out.includes(k), `"${k}" missing from: ${out}`);
  });
}

test('literal secrets (the operator\'s --header values) are removed, with and without their scheme', () => {
  const r = createRedactor(['Bearer opaque-value-42', 'short']);
  assert.equal(r('echo: Bearer opaque-value-42 / opaque-value-42 / short'), `echo: ${REDACTED} / ${REDACTED} / short`);
});

test('redaction is linear on hostile input (no catastrophic backtracking)', () => {
  const hostile = `${'a.'.repeat(16_000)}=${'"x'.repeat(1000)}${'eyJa-'.repeat(6000)}${'a-'.repeat(8000)}`;
  const started = performance.now();
  redact(hostile);
  // Generous bound: quadratic behaviour on 64 KiB would take many seconds.
  assert.ok(performance.now() - started < 2000);
});

test('excerpt redacts before truncating, flattens whitespace, strips control characters', () => {
  const body = `{"password":"${'p'.repeat(400)}"}\n\n\u001b[31mred`;
  const e = excerpt(body, redact, 300);
  assert.ok(!e.includes('ppp'));
  assert.ok(!e.includes('\u001b'));
  assert.equal(e, '{"password":"[REDACTED]"} ?[31mred');
  assert.equal(excerpt('x'.repeat(500)).length, 300);
  assert.ok(excerpt('x'.repeat(500)).endsWith('…'));
});

test('oneLine replaces CR, LF and ESC', () => {
  assert.equal(oneLine('a\r\nb\u001b[2J'), 'a??b?[2J');
});
