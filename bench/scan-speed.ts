import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScanReport } from '../src/scan/types.ts';
import { startVulnerableApi } from '../test/fixtures/vulnerable-api.ts';

// Scan speed (issue 4: "a default scan of the ~20-endpoint fixture finishes in under 60 s and
// reports how many requests it sent"). Runs the real CLI — `gatehouse scan URL --json`, default
// budget and rate — in its own process against the deliberately vulnerable fixture in this one,
// SCAN_BENCH_RUNS times (default 3), and prints a markdown table. Measured here, never asserted in
// a test. Run: node --disable-warning=ExperimentalWarning bench/scan-speed.ts

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.SCAN_BENCH_RUNS ?? 3);

interface Run {
  wallMs: number;
  report: ScanReport;
}

function scanOnce(url: string): Promise<Run> {
  const started = performance.now();
  const child = spawn(join(root, 'node_modules/.bin/node'), ['--disable-warning=ExperimentalWarning', join(root, 'src/cli/main.ts'), 'scan', url, '--json', '--fail-on', 'none'], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`gatehouse scan exited ${code}:\n${stderr}`));
      resolve({ wallMs: performance.now() - started, report: JSON.parse(stdout) as ScanReport });
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const api = await startVulnerableApi();
  const results: Run[] = [];
  try {
    for (let i = 0; i < runs; i++) results.push(await scanOnce(api.url));
  } finally {
    await api.close();
  }
  const seconds = (ms: number): string => (ms / 1000).toFixed(1);
  const rows = results.map((r, i) => {
    const counts = ['critical', 'high', 'medium', 'low', 'info'].map((s) => r.report.findings.filter((f) => f.severity === s).length).join(' / ');
    return `| ${i + 1} | ${seconds(r.wallMs)} | ${seconds(r.report.durationMs)} | ${r.report.requestsSent} | ${r.report.endpoints.length} | ${counts} |`;
  });
  const out = [
    '### Scan speed: `gatehouse scan` against the vulnerable fixture (defaults: --max-requests 2000, --rate 100)',
    '',
    '| run | wall time (s, incl. CLI start) | scan duration (s) | requests sent | endpoints | findings (crit / high / med / low / info) |',
    '|---|---|---|---|---|---|',
    ...rows,
    `| median | ${seconds(median(results.map((r) => r.wallMs)))} | ${seconds(median(results.map((r) => r.report.durationMs)))} | ${median(results.map((r) => r.report.requestsSent))} | | |`,
    '',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
