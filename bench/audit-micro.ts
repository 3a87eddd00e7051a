import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditBody, chainEntries } from '../src/core/hash-chain.ts';
import { makeEntries } from '../src/store/conformance/fixtures.ts';
import { openStore } from '../src/store/open-store.ts';

// Micro-benchmark (not a test) of the audit writer thread's work per record: the whole
// `appendAudit` on a SQLite file store (WAL, the audit indexes) in the batch sizes the queue sends,
// and its parts. CPU time (process.cpuUsage), µs per record. Cited in docs/benchmarks.md.
// Usage: node bench/audit-micro.ts [records=60000] [batch=128]

const total = Number(process.argv[2] ?? 60_000);
const batch = Number(process.argv[3] ?? 128);

const cpuUs = (f: () => void): number => {
  const start = process.cpuUsage();
  f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / total;
};

const dir = mkdtempSync(join(tmpdir(), 'gh-audit-micro-'));
try {
  const store = await openStore(`sqlite:${join(dir, 'gh.db')}`, { baseDir: dir });
  // Request records as the gateway writes them for allowed, forwarded calls, with ids of real length.
  const entries = makeEntries(1, total, { agentId: 'agt_01JD8X3Q4V6W2Y9Z0A1B2C3D4E', credentialId: 'key_01JD8X3Q4V6W2Y9Z0A1B2C3D4F', agentName: 'bench-agent' });
  const batches = Array.from({ length: Math.ceil(total / batch) }, (_, i) => entries.slice(i * batch, (i + 1) * batch));
  for (let round = 1; round <= 3; round++) {
    const json = batches.map((b) => JSON.stringify(b));
    const parts = {
      'hand-off: JSON.stringify (request thread)': cpuUs(() => batches.forEach((b) => JSON.stringify(b))),
      'hand-off: JSON.parse (writer thread)': cpuUs(() => json.forEach((s) => JSON.parse(s))),
      'auditBody (canonical JSON)': cpuUs(() => entries.forEach((e, i) => auditBody(i, e))),
      'chainEntries (auditBody + sha256)': cpuUs(() => batches.forEach((b) => chainEntries(undefined, b))),
    };
    const start = process.cpuUsage();
    for (const b of batches) await store.appendAudit(b);
    const used = process.cpuUsage(start);
    console.log(`round ${round} (${total} records, batches of ${batch})`);
    for (const [label, us] of Object.entries(parts)) console.log(`  ${label.padEnd(44)} ${us.toFixed(2)} µs/record`);
    console.log(`  ${'store.appendAudit, all of it'.padEnd(44)} ${((used.user + used.system) / total).toFixed(2)} µs/record`);
  }
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
