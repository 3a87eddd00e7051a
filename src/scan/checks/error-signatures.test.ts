import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectErrorLeaks, leakSeverity } from './error-signatures.ts';

const nodeStack = JSON.stringify({ error: 'boom', stack: 'TypeError: boom\n    at parseId (file:///srv/app/routes.ts:24:36)\n    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)' });

describe('detectErrorLeaks', () => {
  const rows: Array<[string, number, string, string[], string | undefined]> = [
    ['Node stack in JSON (escaped newlines)', 500, nodeStack, ['Node.js stack trace'], 'medium'],
    ['Node stack in an Express HTML page', 500, '<pre>Error: x<br> &nbsp; &nbsp;at Layer.handle [as handle_request] (/usr/src/app/node_modules/express/lib/router/layer.js:95:5)</pre>', ['Node.js stack trace', 'internal file path'], 'medium'],
    ['Python traceback', 500, 'Traceback (most recent call last):\n  File "/app/main.py", line 12, in handler\nKeyError: 1', ['Python traceback'], 'medium'],
    ['Java stack', 500, 'java.lang.NullPointerException\n\tat com.acme.api.AgentController.get(AgentController.java:42)', ['Java stack trace'], 'medium'],
    ['.NET stack', 500, 'System.NullReferenceException: x\n   at Acme.Api.Get(Int32 id) in C:\\src\\Api.cs:line 42', ['.NET stack trace', 'internal file path'], 'medium'],
    ['PHP fatal', 500, '<b>Fatal error</b>: Uncaught Exception in /var/www/html/index.php:3', ['PHP error', 'internal file path'], 'medium'],
    ['Go panic', 500, 'panic: runtime error: index out of range\n\ngoroutine 1 [running]:', ['Go panic'], 'medium'],
    ['Django debug page', 404, "You're seeing this error because you have <code>DEBUG = True</code> in your Django settings file.", ['framework debug page'], 'medium'],
    ['SQLite error with the query', 500, '{"error":"unrecognized token: \\"\'\\"","sql":"SELECT id FROM agents WHERE name LIKE \'%\'%\'"}', ['SQL error text (SQLite)', 'SQL query text'], 'high'],
    ['PostgreSQL error', 500, 'ERROR: syntax error at or near "\'"', ['SQL error text (PostgreSQL)'], 'high'],
    ['MySQL error', 500, 'You have an error in your SQL syntax; check the manual', ['SQL error text (MySQL)'], 'high'],
    ['secret in an error', 500, '{"error":"upstream refused key sk-live-0123456789abcdefgh"}', ['secrets (API key (sk-…))'], 'high'],
    ['internal path only', 500, '{"error":"ENOENT: open \'/home/deploy/app/data.json\'"}', ['internal file path'], 'low'],
  ];
  for (const [name, status, body, labels, severity] of rows) {
    it(name, () => {
      const leaks = detectErrorLeaks(status, body);
      assert.deepEqual(leaks.map((l) => l.label), labels);
      assert.equal(leakSeverity(leaks), severity);
    });
  }

  const clean: Array<[string, number, string]> = [
    ['RFC 9457 problem', 404, '{"type":"https://gatehouse.dev/problems/not_found","title":"Not Found","status":404,"detail":"no route"}'],
    ['our payload echoed back', 400, `{"error":"invalid id \\"gatehouse-scan'\\\\\\"\\" at position 3"}`],
    ['a file path in a successful listing', 200, '[{"output":"written to /home/deploy/app/report.md"}]'],
    ['plain message with a time', 500, '{"error":"Internal Server Error at 12:30:45"}'],
    ['lower-case prose about selecting', 400, '{"error":"select a value from the list"}'],
    ['a saved query in a successful response', 200, '{"query":"SELECT name FROM agents WHERE id = 1"}'],
    ['a key in a successful response (the secrets check reports it)', 200, '{"key":"sk-live-0123456789abcdefgh"}'],
  ];
  for (const [name, status, body] of clean) {
    it(`no leak: ${name}`, () => assert.deepEqual(detectErrorLeaks(status, body), []));
  }
});
