import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTarget, isLoopbackHost } from './target-policy.ts';

test('loopback hosts', () => {
  const yes = ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '[::1]', '::1', '[::ffff:7f00:1]'];
  const no = ['0.0.0.0', '10.0.0.1', '128.0.0.1', 'localhost.evil.com', 'my-agent.local', '[::]', '[::ffff:a00:1]', 'example.com', '1.127.0.0'];
  for (const h of yes) assert.equal(isLoopbackHost(h), true, h);
  for (const h of no) assert.equal(isLoopbackHost(h), false, h);
});

test('numeric host forms are normalised by the URL parser before the check', () => {
  for (const raw of ['http://2130706433:8080/', 'http://0x7f.1:8080/', 'http://127.1/', 'http://[::ffff:127.0.0.1]/']) {
    const d = checkTarget(raw, false);
    assert.ok(d.ok && d.loopback, raw);
  }
  assert.equal(checkTarget('http://3232235777/', false).ok, false); // 192.168.1.1
});

test('a non-loopback target needs --authorized', () => {
  const refused = checkTarget('https://agent.example.com/api', false);
  assert.equal(refused.ok, false);
  assert.match((refused as { reason: string }).reason, /not a loopback address.*--authorized only if you are authorized to test/);
  const allowed = checkTarget('https://agent.example.com/api?x=1#f', true);
  assert.ok(allowed.ok && !allowed.loopback);
  assert.equal(allowed.ok && allowed.url.href, 'https://agent.example.com/api');
});

test('not a URL, not http(s), or credentials in the URL are refused even when authorized', () => {
  for (const raw of ['127.0.0.1:8080', 'ftp://127.0.0.1/', 'file:///etc/passwd', 'http://user:pw@127.0.0.1/']) {
    assert.equal(checkTarget(raw, true).ok, false, raw);
  }
});
