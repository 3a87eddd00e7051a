#!/usr/bin/env node
// Installed-package entry: runs the compiled CLI (npm run build), or the TypeScript source on Node ≥ 23.6.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
await import(existsSync(dist) ? dist : '../src/cli/main.ts');
