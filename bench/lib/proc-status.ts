import { readFileSync } from 'node:fs';

export interface Memory {
  /** Peak resident set size (VmHWM), MB. */
  peakMb: number;
  /** Current resident set size (VmRSS), MB. */
  rssMb: number;
}

function field(status: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Memory of a running process from /proc (Linux only); undefined when it cannot be read. */
export function readMemory(pid: number): Memory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { peakMb: field(status, 'VmHWM'), rssMb: field(status, 'VmRSS') };
  } catch {
    return undefined;
  }
}
