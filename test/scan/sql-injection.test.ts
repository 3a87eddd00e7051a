import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { sqlInjection } from '../../src/scan/checks/sql-injection.ts';
import { serviceSkipReason, testServiceUrl } from '../../src/store/service-availability.ts';
import { startVulnerableApi, type VulnerableApi } from '../fixtures/vulnerable-api.ts';
import { endpoint, fixtureInventory, json, startTestServer, testScan, type TestServer } from './helpers/check-harness.ts';

describe('sql-injection against the vulnerable fixture', () => {
  let api: VulnerableApi;
  before(async () => void (api = await startVulnerableApi({ host: '127.0.0.1' })));
  after(() => api.close());

  it('finds the injectable /api/search?query= (and nothing in the parameterized endpoints)', async () => {
    const scan = testScan(api.url, fixtureInventory());
    try {
      const findings = await sqlInjection.run(scan.ctx);
      assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.endpoint]), [['sql-injection', 'critical', 'GET /api/search']]);
      const [f] = findings;
      assert.match(f!.title, /query parameter `query`; error-based, boolean-based/);
      assert.match(f!.evidence[0]!.request, /^GET \/api\/search\?query=agent'/);
      assert.match(f!.evidence[0]!.note!, /SQLite error .*unrecognized token/);
      assert.match(f!.remediation, /parameterized queries/);
      assert.match(f!.remediation, /does not fix injection/);
      assert.ok(scan.events.includes('SQL injection found in /api/search?query='));
    } finally {
      await scan.close();
    }
  });
});

/** A search over a real SQLite database: concatenated or parameterized, errors verbose or generic. */
async function sqliteSearch(opts: { parameterized: boolean; verboseErrors: boolean }): Promise<TestServer> {
  const db = new DatabaseSync(':memory:');
  db.exec('CREATE TABLE agents (id INTEGER PRIMARY KEY, name TEXT, owner_id INTEGER)');
  for (const [name, owner] of [['research-agent', 1], ['code-agent', 1], ['ops-agent', 2], ['billing-agent', 3]] as const) db.prepare('INSERT INTO agents (name, owner_id) VALUES (?, ?)').run(name, owner);
  const server = await startTestServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const run = (concat: string, param: string, value: string) => (opts.parameterized ? db.prepare(param).all(value) : db.prepare(concat).all());
    try {
      if (url.pathname === '/api/search' && req.method === 'GET') {
        const q = url.searchParams.get('q') ?? '';
        // Echoes the term back: an answer that differs by the literal text must not look like injection.
        return json(res, 200, { query: q, results: run(`SELECT id, name FROM agents WHERE name LIKE '%${q}%'`, "SELECT id, name FROM agents WHERE name LIKE '%' || ? || '%'", q) });
      }
      if (url.pathname === '/api/search' && req.method === 'POST') {
        const q = String((JSON.parse(req.body) as { query?: unknown }).query ?? '');
        return json(res, 200, run(`SELECT id, name FROM agents WHERE name = '${q}'`, 'SELECT id, name FROM agents WHERE name = ?', q));
      }
      if (url.pathname === '/api/agents' && req.method === 'GET') {
        const owner = url.searchParams.get('owner_id') ?? '1';
        return json(res, 200, run(`SELECT id, name FROM agents WHERE owner_id = ${owner}`, 'SELECT id, name FROM agents WHERE owner_id = ?', owner));
      }
      if (url.pathname === '/api/tasks' && req.method === 'POST') return json(res, 201, { id: 1 });
      json(res, 404, { error: 'not found' });
    } catch (err) {
      json(res, 500, { error: opts.verboseErrors ? (err as Error).message : 'internal error' });
    }
  });
  return { ...server, close: async () => (await server.close(), db.close()) };
}

const INVENTORY = [
  endpoint('GET', '/api/search'),
  endpoint('POST', '/api/search', [{ name: 'query', in: 'body' }]),
  endpoint('GET', '/api/agents', [{ name: 'owner_id', in: 'query', example: '1' }]),
  endpoint('POST', '/api/tasks', [{ name: 'title', in: 'body' }]),
];

describe('sql-injection against a search over real SQLite', () => {
  it('blind (generic errors): found by the boolean differential in a guessed query parameter, a JSON body and a numeric parameter', async () => {
    const server = await sqliteSearch({ parameterized: false, verboseErrors: false });
    const scan = testScan(server.url, INVENTORY);
    try {
      const findings = await sqlInjection.run(scan.ctx);
      assert.deepEqual(findings.map((f) => f.title), [
        'SQL injection in GET /api/search (query parameter `q`; boolean-based)',
        'SQL injection in POST /api/search (JSON body field `query`; boolean-based)',
        'SQL injection in GET /api/agents (query parameter `owner_id`; boolean-based)',
      ]);
      assert.match(findings[2]!.evidence[0]!.request, /owner_id=1%20OR%201%3D1/);
      assert.match(findings[0]!.evidence[0]!.note!, /always-true condition .*4 items/);
      assert.ok(!server.seen.some((r) => r.method === 'POST' && r.url === '/api/tasks'), 'no write without --allow-writes');
      assert.ok(!server.seen.some((r) => /DROP|DELETE|UPDATE|INSERT|;/i.test(decodeURIComponent(r.url) + r.body)), 'only read-only payloads');
    } finally {
      await scan.close();
      await server.close();
    }
  });

  it('verbose errors: found by the error signature', async () => {
    const server = await sqliteSearch({ parameterized: false, verboseErrors: true });
    const scan = testScan(server.url, [INVENTORY[0]!]);
    try {
      const [f, ...rest] = await sqlInjection.run(scan.ctx);
      assert.equal(rest.length, 0);
      assert.match(f!.title, /query parameter `q`; error-based, boolean-based/);
      assert.match(f!.evidence[0]!.note!, /SQLite error/);
    } finally {
      await scan.close();
      await server.close();
    }
  });

  it('parameterized queries with verbose errors and echoed terms: no finding', async () => {
    const server = await sqliteSearch({ parameterized: true, verboseErrors: true });
    const scan = testScan(server.url, INVENTORY, { allowWrites: true });
    try {
      assert.deepEqual(await sqlInjection.run(scan.ctx), []);
      assert.ok(server.seen.some((r) => r.url.startsWith('/api/search?q=')));
      assert.ok(server.seen.some((r) => r.method === 'POST' && r.url === '/api/tasks'), 'with --allow-writes the write endpoint is tested too');
    } finally {
      await scan.close();
      await server.close();
    }
  });
});

const pgSkip = await serviceSkipReason('postgres');

describe('sql-injection, time-based, against real PostgreSQL', { skip: pgSkip }, () => {
  /** Fully blind: the same answer whatever happens, so only the delay can tell. */
  async function blindPg(parameterized: boolean): Promise<TestServer> {
    const pool = new pg.Pool({ connectionString: testServiceUrl('postgres'), max: 2 });
    const server = await startTestServer(async (req, res) => {
      const q = new URL(req.url, 'http://x').searchParams.get('name') ?? '';
      const base = "SELECT count(*) FROM (VALUES ('research-agent'), ('ops-agent')) AS t(name) WHERE name LIKE ";
      await (parameterized ? pool.query(`${base} '%' || $1 || '%'`, [q]) : pool.query(`${base} '%${q}%'`)).catch(() => undefined);
      json(res, 200, { ok: true });
    });
    return { ...server, close: async () => (await server.close(), await pool.end()) };
  }
  const inventory = [endpoint('GET', '/api/lookup', [{ name: 'name', in: 'query', example: 'agent' }])];

  it('finds a blind injection by a bounded pg_sleep, confirmed with a zero delay and a second delay', async () => {
    const server = await blindPg(false);
    const scan = testScan(server.url, inventory, { maxDelaySeconds: 1 });
    try {
      const [f, ...rest] = await sqlInjection.run(scan.ctx);
      assert.equal(rest.length, 0);
      assert.match(f!.title, /query parameter `name`; time-based/);
      assert.match(f!.evidence[0]!.request, /pg_sleep\(1\)/);
      assert.match(f!.evidence[0]!.note!, /PostgreSQL delay of 1 s/);
      assert.match(f!.evidence[1]!.request, /pg_sleep\(0\)/);
    } finally {
      await scan.close();
      await server.close();
    }
  });

  it('parameterized: the same payloads cause no delay and no finding', async () => {
    const server = await blindPg(true);
    const scan = testScan(server.url, inventory, { maxDelaySeconds: 1 });
    try {
      assert.deepEqual(await sqlInjection.run(scan.ctx), []);
      assert.ok(server.seen.some((r) => r.url.includes('pg_sleep')));
    } finally {
      await scan.close();
      await server.close();
    }
  });
});
