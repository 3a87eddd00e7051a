import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { injectionPoints, injectRequest, MAX_POINTS } from './injection-points.ts';
import { booleanFamilies, delayPayloads, ERROR_PAYLOADS } from './sql-payloads.ts';
import { matchSqlError } from './sql-signatures.ts';
import { booleanVerdict, delayVerdict, errorVerdict } from './sql-verdicts.ts';

const r = (body: unknown, status = 200) => ({ status, body: typeof body === 'string' ? body : JSON.stringify(body) });
const rows = (n: number) => r(Array.from({ length: n }, (_, i) => ({ id: i + 1, name: `agent-${i + 1}` })));

describe('matchSqlError', () => {
  const table: Array<[string, string | undefined]> = [
    ['{"error":"unrecognized token: \\"\'%\\"","code":"ERR_SQLITE_ERROR"}', 'SQLite'],
    ['SQLITE_ERROR: near "agent": syntax error', 'SQLite'],
    ['sqlite3.OperationalError: near "\'": syntax error', 'SQLite'],
    ['ERROR:  syntax error at or near "\'" LINE 1: SELECT', 'PostgreSQL'],
    ['ERROR: unterminated quoted string at or near "\'" at character 52', 'PostgreSQL'],
    ['psycopg2.errors.SyntaxError: ...', 'PostgreSQL'],
    ["You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near ''' at line 1", 'MySQL'],
    ['Warning: mysql_fetch_array() expects parameter 1', 'MySQL'],
    ["Unclosed quotation mark after the character string ''.", 'SQL Server'],
    ['ORA-01756: quoted string not properly terminated', 'Oracle'],
    ['[Microsoft][ODBC Driver 17 for SQL Server]', 'ODBC/generic'],
    // Not SQL-parser errors: a parameterized query raises the first; the rest are ordinary pages.
    ['ERROR: invalid input syntax for type integer: "1\'"', undefined],
    ['{"results":[],"query":"\' OR \'1\'=\'1"}', undefined],
    ['{"error":"Invalid id \\"1\'\\": expected an integer"}', undefined],
    ['The mysql client and PostgreSQL docs: SELECT * FROM table', undefined],
  ];
  for (const [body, db] of table) it(`${db ?? 'none'}: ${body.slice(0, 50)}`, () => assert.equal(matchSqlError(body)?.db, db));
  it('excerpt surrounds the match', () => {
    const m = matchSqlError(`${'x'.repeat(500)} syntax error at or near "'" ${'y'.repeat(500)}`)!;
    assert.match(m.excerpt, /^….*syntax error at or near.*…$/);
    assert.ok(m.excerpt.length < 200);
  });
});

describe('errorVerdict', () => {
  const err = r({ error: 'unrecognized token: "\'"' }, 500);
  it('error only with the payload → injection', () => assert.equal(errorVerdict(rows(1), err, rows(0), false)?.db, 'SQLite'));
  it('the baseline already shows the text → nothing', () => assert.equal(errorVerdict(err, err, rows(0), false), undefined));
  it('the balanced control errors too → nothing for a string parameter', () => assert.equal(errorVerdict(rows(1), err, err, false), undefined));
  it('… but a numeric parameter concatenated bare errors on both', () => assert.equal(errorVerdict(rows(1), err, err, true)?.db, 'SQLite'));
  it('no signature → nothing', () => assert.equal(errorVerdict(rows(1), r('bad request', 400), rows(0), false), undefined));
});

describe('booleanVerdict', () => {
  const table: Array<[string, Parameters<typeof booleanVerdict>[0], boolean]> = [
    ['true returns every row, false none', { trueA: rows(4), trueB: rows(4), falseA: rows(0), falseB: rows(0) }, true],
    ['parameterized: all four match nothing', { trueA: rows(0), trueB: rows(0), falseA: rows(0), falseB: rows(0) }, false],
    ['the two trues disagree (tokenizing search)', { trueA: rows(3), trueB: rows(1), falseA: rows(0), falseB: rows(0) }, false],
    ['the two falses disagree', { trueA: rows(4), trueB: rows(4), falseA: rows(0), falseB: rows(2) }, false],
    ['false returns more than true', { trueA: rows(0), trueB: rows(0), falseA: rows(4), falseB: rows(4) }, false],
    ['a false errors: not a differential', { trueA: rows(4), trueB: rows(4), falseA: r('oops', 500), falseB: r('oops', 500) }, false],
    ['validation rejects all: nothing', { trueA: r('bad', 400), trueB: r('bad', 400), falseA: r('bad', 400), falseB: r('bad', 400) }, false],
    ['non-JSON pages by length', { trueA: r('<li>x</li>'.repeat(40)), trueB: r('<li>x</li>'.repeat(40)), falseA: r('<p>none</p>'), falseB: r('<p>none</p>') }, true],
    ['echoed terms of slightly different length', { trueA: r('no results for x1'), trueB: r('no results for x22'), falseA: r('no results for x333'), falseB: r('no results for x4444') }, false],
  ];
  for (const [name, input, want] of table) it(name, () => assert.equal(booleanVerdict(input), want));
});

describe('delayVerdict', () => {
  const table: Array<[string, Parameters<typeof delayVerdict>[1], boolean]> = [
    ['slow, fast with 0, slow again', { baselineMs: 20, slowMs: 2030, zeroMs: 25, againMs: 2040 }, true],
    ['slow only once (a hiccup)', { baselineMs: 20, slowMs: 2030, zeroMs: 25, againMs: 30 }, false],
    ['slow even with 0 (a slow endpoint)', { baselineMs: 20, slowMs: 2030, zeroMs: 2010, againMs: 2040 }, false],
    ['everything is slow, baseline too', { baselineMs: 1900, slowMs: 2030, zeroMs: 1950, againMs: 2040 }, false],
    ['not slow enough', { baselineMs: 20, slowMs: 1500, zeroMs: 25, againMs: 1500 }, false],
  ];
  for (const [name, t, want] of table) it(name, () => assert.equal(delayVerdict(2, t), want));
});

describe('payloads are non-destructive', () => {
  it('no statement terminator, no DROP/DELETE/UPDATE/INSERT/ALTER/TRUNCATE/EXEC in any payload', () => {
    const all = [
      ...ERROR_PAYLOADS.flatMap((p) => [p.suffix, p.control]),
      ...[true, false].flatMap((n) => booleanFamilies('1', n).flatMap((f) => [f.trueA, f.trueB, f.falseA, f.falseB])),
      ...[true, false].flatMap((n) => delayPayloads('1', n).flatMap((p) => [p.build(2), p.build(0)])),
    ];
    assert.ok(all.length > 20);
    for (const p of all) {
      assert.ok(!p.includes(';'), p);
      assert.doesNotMatch(p, /\b(DROP|DELETE|UPDATE|INSERT|ALTER|TRUNCATE|EXEC|CREATE|REPLACE|GRANT)\b/i, p);
    }
  });
  it('delays are the ones asked for', () => {
    assert.deepEqual(delayPayloads('x', false).map((p) => p.build(1.5)), ["x'||(SELECT '' FROM pg_sleep(1.5))||'", "x' AND (SELECT 1 FROM (SELECT SLEEP(1.5))gh) AND '1'='1"]);
  });
});

describe('injectionPoints', () => {
  const e = (method: string, path: string, params: Array<{ name: string; in: 'query' | 'path' | 'body'; example?: string }> = []) => ({ method, path, params, source: 'openapi' as const });
  it('query first, search-like first; POST bodies only when search-like or --allow-writes', () => {
    const inv = [
      e('GET', '/api/agents/{id}', [{ name: 'id', in: 'path', example: '1' }]),
      e('GET', '/api/tasks', [{ name: 'status', in: 'query', example: 'queued' }]),
      e('POST', '/api/tasks', [{ name: 'title', in: 'body' }]),
      e('POST', '/api/search', [{ name: 'query', in: 'body' }]),
      e('GET', '/api/search', [{ name: 'query', in: 'query', example: 'agent' }]),
    ];
    const label = (ps: ReturnType<typeof injectionPoints>) => ps.map((p) => `${p.endpoint.method} ${p.endpoint.path} ${p.location}:${p.name}`);
    assert.deepEqual(label(injectionPoints(inv, false)), ['GET /api/search query:query', 'POST /api/search body:query', 'GET /api/tasks query:status', 'GET /api/agents/{id} path:id']);
    assert.ok(label(injectionPoints(inv, true)).includes('POST /api/tasks body:title'));
  });
  it('search-like GETs without documented parameters get the common names', () => {
    const names = injectionPoints([e('GET', '/search')], false).map((p) => p.name);
    assert.deepEqual(names, ['q', 'query', 'search', 'filter', 'keyword', 'term']);
  });
  it('is bounded', () => {
    const many = Array.from({ length: 100 }, (_, i) => e('GET', `/api/x${i}`, [{ name: 'a', in: 'query' }]));
    assert.equal(injectionPoints(many, false).length, MAX_POINTS);
  });
  it('injectRequest keeps the other parameters and encodes the payload', () => {
    const ep = e('GET', '/api/items/{id}', [{ name: 'id', in: 'path', example: '7' }, { name: 'q', in: 'query', example: 'a b' }, { name: 'sort', in: 'query', example: 'name' }]);
    const [q] = injectionPoints([ep], false);
    assert.equal(injectRequest(q!, "' OR '1'='1").target, "/api/items/7?q='%20OR%20'1'%3D'1&sort=name");
    const body = injectionPoints([e('POST', '/api/tasks/{id}/notes', [{ name: 'id', in: 'path' }, { name: 'text', in: 'body' }, { name: 'agent_id', in: 'body' }])], true)[0]!;
    const req = injectRequest(body, "x'");
    assert.match(req.target, /^\/api\/tasks\/9\d{8}\/notes$/, 'a write targets an id that names no record');
    assert.equal(injectRequest(body, 'y').target, req.target, 'the same id for every payload of the point');
    assert.deepEqual(req.json, { text: "x'", agent_id: 1 });
  });
});
