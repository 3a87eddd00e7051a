import { readdirSync, readFileSync } from 'node:fs';

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

function cpuMsOfStat(stat: string): number {
  // Fields after the command name (which may hold spaces, hence the last ')'): state is field 3,
  // utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SEC;
}

/** Live child processes of `pid` (from each thread's `children` list). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) if (c.trim() !== '') out.push(Number(c));
    }
  } catch {
    // gone, or no children file (kernels without CONFIG_PROC_CHILDREN): the process alone
  }
  return out;
}

/**
 * CPU time (user + system, all threads) a process and its live descendants have used so far, in ms,
 * from /proc/<pid>/stat — descendants so that nginx's worker counts with its master; undefined when
 * the process cannot be read. Resolution is one clock tick (10 ms at the usual 100 Hz).
 */
export function readCpuMs(pid: number): number | undefined {
  let own: number;
  try {
    own = cpuMsOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
  return childrenOf(pid).reduce((sum, c) => sum + (readCpuMs(c) ?? 0), own);
}

// sysconf(_SC_CLK_TCK): 100 on every mainstream Linux build; Node does not expose it.
const CLOCK_TICKS_PER_SEC = 100;

/** CPU ms so far of each thread of `pid`, summed by thread name (libuv's pool threads share one). */
export function readThreadCpuMs(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      out.set(name, (out.get(name) ?? 0) + cpuMsOfStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
    }
  } catch {
    // The process (or a thread) is gone: what was read so far.
  }
  return out;
}
