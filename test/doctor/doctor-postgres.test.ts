import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { capture, cliContext } from '../../src/cli/cli-harness.test-helper.ts';
import { doctor } from '../../src/cli/commands/doctor.ts';
import { serviceSkipReason, testServiceUrl } from '../../src/store/service-availability.ts';
import { startHarness, type Harness } from '../helpers/gateway-harness.ts';

// The doctor on a PostgreSQL store: read without migrating, the chain verified, tampering found.
const skip = await serviceSkipReason('postgres');

describe('gatehouse doctor on a PostgreSQL deployment', { skip }, () => {
  const schema = `gh_doctor_${randomBytes(4).toString('hex')}`;
  let h: Harness | undefined;
  after(async () => {
    await h?.close();
    const client = new pg.Client({ connectionString: testServiceUrl('postgres') });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  const run = async (): Promise<{ code: number; fails: string[]; passes: string[] }> => {
    const out = capture();
    const code = await doctor(cliContext(h!.dir, h!.configFile), ['--json', '--probe-data', h!.gw.dataUrl, '--probe-admin', h!.gw.adminUrl], out);
    const lines = (JSON.parse(out.text.out) as { checks: Array<{ status: string; message: string }> }).checks;
    return { code, fails: lines.filter((l) => l.status === 'fail').map((l) => l.message), passes: lines.filter((l) => l.status === 'pass').map((l) => l.message) };
  };

  it('passes, then fails with the right line once an audit record is edited in the database', async () => {
    h = await startHarness((upstream) => ({
      store: { url: `${testServiceUrl('postgres')}?schema=${schema}` },
      routes: [{ id: 'api', path: '/api/*', upstream }],
      policies: { rules: [{ id: 'read', methods: ['GET'], paths: ['/api/*'] }] },
    }));
    const { key } = await h.agentWithKey('pg-reader');
    assert.equal((await h.request('/api/x', { headers: { authorization: `Bearer ${key}` } })).status, 200);
    await h.requestAudit();

    const healthy = await run();
    assert.deepEqual(healthy.fails, []);
    assert.equal(healthy.code, 0);
    assert.ok(healthy.passes.some((m) => /^audit chain intact \(\d+ records, head seal verified\)$/.test(m)));
    assert.ok(healthy.passes.includes('store.url holds no password'));

    const client = new pg.Client({ connectionString: testServiceUrl('postgres') });
    await client.connect();
    await client.query(`UPDATE ${schema}.audit_log SET path = '/api/innocent' WHERE seq = 2`);
    await client.end();
    const tampered = await run();
    assert.equal(tampered.code, 1);
    assert.deepEqual(tampered.fails.map((m) => m.replace(/\d+ records read/, 'N records read')), ['audit chain broken: record #2 edited (N records read)']);
  });
});
