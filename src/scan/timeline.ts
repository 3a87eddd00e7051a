import { oneLine, redact as defaultRedact, type Redact } from './redact.ts';
import type { Timeline } from './types.ts';

/** Where the timeline writes: a process stream, or a test collector. */
export interface TimelineStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface TimelineOptions {
  /** Milliseconds, monotonic (default performance.now). */
  now?: () => number;
  redact?: Redact;
  /** Overrides the stream's own isTTY (tests). */
  tty?: boolean;
}

// Redrawing the progress line on every request would flood a slow terminal for nothing.
const PROGRESS_INTERVAL_MS = 100;
const CLEAR_LINE = '\r\u001b[2K';

/** `00:00:05` for 5 s (hours keep counting past 99). */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(Math.floor(s / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
}

/**
 * The attack timeline: `[00:00:05] message` lines as they happen, kept for the report, and on a TTY
 * a transient progress line (overwritten in place with `\r`, cleared before each event line so the
 * two never mix). Messages are redacted and stripped of control characters: they may quote the
 * target's responses.
 */
export class ScanTimeline implements Timeline {
  readonly events: Array<{ atMs: number; message: string }> = [];
  readonly #out: TimelineStream | undefined;
  readonly #now: () => number;
  readonly #start: number;
  readonly #redact: Redact;
  readonly #tty: boolean;
  #progress: string | undefined;
  #drawnAt = -Infinity;

  constructor(out: TimelineStream | undefined, opts: TimelineOptions = {}) {
    this.#out = out;
    this.#now = opts.now ?? (() => performance.now());
    this.#start = this.#now();
    this.#redact = opts.redact ?? defaultRedact;
    this.#tty = opts.tty ?? out?.isTTY === true;
  }

  /** Milliseconds since the timeline started. */
  elapsedMs(): number {
    return this.#now() - this.#start;
  }

  event(message: string): void {
    const atMs = Math.round(this.elapsedMs());
    const text = oneLine(this.#redact(message));
    this.events.push({ atMs, message: text });
    if (!this.#out) return;
    const clear = this.#progress === undefined ? '' : CLEAR_LINE;
    this.#out.write(`${clear}[${formatElapsed(atMs)}] ${text}\n`);
    if (this.#progress !== undefined) this.#draw();
  }

  progress(message: string): void {
    if (!this.#tty || !this.#out) return;
    this.#progress = oneLine(this.#redact(message));
    if (this.#now() - this.#drawnAt >= PROGRESS_INTERVAL_MS) this.#draw();
  }

  /** Removes the progress line (call before printing the report). */
  finish(): void {
    if (this.#progress !== undefined && this.#out) this.#out.write(CLEAR_LINE);
    this.#progress = undefined;
  }

  #draw(): void {
    // A pty may report 0 columns; then assume the classic 80.
    const columns = this.#out?.columns;
    const width = (columns !== undefined && columns >= 20 ? columns : 80) - 1;
    const line = `[${formatElapsed(this.elapsedMs())}] ${this.#progress ?? ''}`;
    this.#out?.write(`${CLEAR_LINE}${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
    this.#drawnAt = this.#now();
  }
}
