// The `gatehouse` entry point (node src/cli/main.ts …, or bin/gatehouse.js which imports this
// file): always runs. The logic lives in cli.ts so tests can call it without running anything.
import './runtime-tuning.ts'; // first: V8 settings that must precede every WebAssembly compile
import { runCli } from './cli.ts';

// node:sqlite announces itself as experimental on every run; that is noise for CLI users.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (!(w.name === 'ExperimentalWarning' && /SQLite/i.test(w.message))) process.stderr.write(`${w.name}: ${w.message}\n`);
});
// First Ctrl-C asks the command to stop (audit tail -f); a second one exits at once.
const abort = new AbortController();
process.on('SIGINT', () => (abort.signal.aborted ? process.exit(130) : abort.abort()));
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, { signal: abort.signal });
