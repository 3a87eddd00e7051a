#!/usr/bin/env node
// Installed-package entry: runs the compiled CLI (npm run build), or the TypeScript source on Node ≥ 23.6.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// node:sqlite still flags itself experimental on Node 22/24; that one notice is noise for operators.
const emit = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (type === 'ExperimentalWarning' && String(warning).includes('SQLite')) return;
  return emit.call(process, warning, ...rest);
};

const dist = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
await import(existsSync(dist) ? dist : '../src/cli/main.ts');
