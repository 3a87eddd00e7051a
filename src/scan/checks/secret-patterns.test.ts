import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { findSecrets, redactSecrets, redactValue } from './secret-patterns.ts';

const jwt = await new SignJWT({ sub: 'agent-1' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('k'.repeat(32)));
const gth = `gth_${'A1b2C3d4E5'.repeat(4)}Zz9Yy8Xx7`; // 53 chars, gth_ + 49
const pem = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----';

describe('findSecrets', () => {
  const rows: Array<[string, string, Array<[string, string, string]>]> = [
    ['OpenAI-style key in JSON', '{"OPENAI_API_KEY":"sk-test-FIXTUREonly000000000"}', [['API key (sk-…)', 'high', 'sk-tes…']]],
    ['AWS access key id', 'id=AKIAIOSFODNN7EXAMPLE', [['AWS access key id', 'critical', 'AKIA…']]],
    ['AWS secret key field', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', [['AWS secret access key', 'critical', 'wJal…']]],
    ['private key PEM', `{"key":"${pem.replace(/\n/g, '\\n')}"}`, [['private key (PEM)', 'critical', '-----BEGIN PRIVATE KEY-----…']]],
    ['Gatehouse key', `token ${gth}`, [['Gatehouse API key (gth_…)', 'high', 'gth_A1…']]],
    ['GitHub token', `ghp_${'a'.repeat(36)}`, [['GitHub token', 'high', 'ghp_aa…']]],
    ['Slack token', 'xoxb-1234567890-abcdefghij', [['Slack token', 'high', 'xoxb-1…']]],
    ['JWT in a log line', `authorization="Bearer ${jwt}"`, [['JWT', 'high', 'eyJhbGci…']]],
    ['connection string', 'DATABASE_URL=postgres://app:Sup3rS3cret@db.internal:5432/app', [['connection string with password', 'high', 'postgres://app:…@db.internal:5432']]],
    ['password hash field', '{"username":"admin","password_hash":"$2b$12$abcdefghijklmnop"}', [['password or secret field "password_hash"', 'high', '$2…']]],
    ['camelCase secret field', '{"clientSecret":"s3cr3t-value-here"}', [['password or secret field "clientSecret"', 'high', 's3…']]],
    ['env style password', 'DB_PASSWORD=hunter2hunter2', [['password or secret field "DB_PASSWORD"', 'high', 'hu…']]],
  ];
  for (const [name, text, expected] of rows) {
    it(`finds: ${name}`, () => {
      assert.deepEqual(findSecrets(text).map((h) => [h.kind, h.severity, h.redacted]), expected);
    });
  }

  const clean: Array<[string, string]> = [
    ['redacted placeholder', '{"password":"[REDACTED]","secret":"********"}'],
    ['OpenAPI schema words', '{"password":"string","api_key":"<your key>","token_secret":"${SECRET}"}'],
    ['names that merely contain a secret word', '{"forgot_password_url":"https://x.example/reset","password_policy":"min 12","next_page_token":"abc123def456"}'],
    ['URL without a password', 'see https://user@example.com/path and postgres://db.internal/app'],
    ['empty values', '{"password":"","secret":""}'],
    ['a JWT-looking string that is not one', 'eyJxxxxxxxx.eyJyyyyyyyyy.zzzzzzzzzzzzzzzzzzzz'],
    ['ordinary words', 'task-scheduler ask-anything desk-booking-service-name'],
  ];
  for (const [name, text] of clean) {
    it(`ignores: ${name}`, () => assert.deepEqual(findSecrets(text), []));
  }

  it('reports a value once even when it sits in a secret field', () => {
    assert.equal(findSecrets('{"api_key":"sk-live-0123456789abcdefXYZ"}').length, 1);
  });
});

describe('redaction', () => {
  it('keeps at most `keep` characters and never more than a quarter of the value', () => {
    assert.equal(redactValue('sk-abcdefghijklmnopqrstuvwxyz', 6), 'sk-abc…');
    assert.equal(redactValue('sk-abcdefghijklmnop', 6), 'sk-a…');
    assert.equal(redactValue('abcd', 6), 'a…');
    assert.equal(redactValue('abc', 6), '…');
  });

  it('redactSecrets leaves no secret in the text', () => {
    const text = `{"key":"sk-test-FIXTUREonly000000000","db":"postgres://app:Sup3rS3cret@db:5432/x","k":"${pem.replace(/\n/g, '\\n')}","t":"${jwt}"}`;
    const out = redactSecrets(text);
    for (const secret of ['FIXTUREonly', 'Sup3rS3cret', 'MIGHAgEA', jwt.split('.')[2]!]) assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
    assert.match(out, /"key":"sk-tes…"/);
    assert.match(out, /postgres:\/\/app:…@db:5432/);
    assert.deepEqual(findSecrets(out), []);
  });
});
