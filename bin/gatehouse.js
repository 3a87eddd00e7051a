#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=4 --heap-growing-percent=50
// --max-semi-space-size: a proxy allocates many short-lived objects; V8's default young generation
// grows far larger than it needs (measured: 4 MB semi-spaces keep peak RSS ~25 MB below 8 MB ones
// and far below the default, at the same throughput; docs/benchmarks.md).
// --heap-growing-percent=50: the old generation may grow to 1.5× its live size before V8 collects
// it, not up to several times: the objects of requests in flight that outlive a scavenge are
// garbage soon after, and would otherwise pile up (measured: peak RSS 194–196 MB against 206–255 MB).
// MALLOC_ARENA_MAX=2: glibc gives every thread that allocates (the audit writer, V8's GC helpers,
// libuv's pool) its own malloc arena of up to 64 MB; two arenas measured ~80 MB less peak RSS under
// load at the same throughput (docs/benchmarks.md). MALLOC_MMAP_THRESHOLD_=131072: allocations of
// 128 KB and more get their own mapping, returned when freed; left alone, glibc raises that
// threshold (and the one for giving memory back) after V8 frees a large block, and the freed memory
// stays resident (measured: ~10 MB less peak RSS, same throughput). Both ignored by other C libraries.
// Keep the #! line under 128 bytes: Linux before 5.1 cuts it there. More settings: src/cli/runtime-tuning.ts.
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
