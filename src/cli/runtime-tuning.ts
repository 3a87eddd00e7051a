import { setFlagsFromString } from 'node:v8';

/**
 * Process-wide V8 settings for the `gatehouse` process, applied by main.ts before any other module
 * is evaluated (so before Cedar's and undici's WebAssembly is compiled). Flags that must be set
 * before V8 starts live in bin/gatehouse.js's shebang and the `npm start` script instead.
 *
 * One background thread compiles WebAssembly, not every V8 worker thread (V8's default; Node
 * starts four). The parallel compile jobs leave their freed memory scattered over glibc's malloc
 * arenas, where it stays resident: measured 131–143 MB idle RSS against 150–164 MB, and no change
 * in Cedar's steady-state speed (docs/benchmarks.md). Not in the shebang: Linux before 5.1 cuts a
 * `#!` line at 127 bytes.
 */
setFlagsFromString('--wasm-num-compilation-tasks=1');
