/**
 * What a load's phases (read, match, analyse) cost, for RSTTUI_REPORT and the benchmark: wall ms,
 * the process's CPU ms (every thread), the main thread's CPU ms, page faults, and the RSS after
 * each. A mark at each phase's start and one at the end of the last.
 */
import { readFileSync } from 'node:fs';
import type { VerdictShare } from '../correlate/fw-verdict-thread.js';

export interface PhaseFigures {
  read: number;
  match: number;
  analyse: number;
}

export interface Timings extends PhaseFigures {
  cpu: PhaseFigures;
  mainCpu: PhaseFigures;
  faults: PhaseFigures;
  /** MB after each phase */
  rssMB: PhaseFigures;
  /** the log-only connections' blocks of rows and of verdicts, and the second thread's share of them (fw-verdict-thread.ts) */
  logOnly?: { rows: VerdictShare; verdicts: VerdictShare };
}

const ZERO: PhaseFigures = { read: 0, match: 0, analyse: 0 };
/** The timings of a dataset no load made (a live run's view). */
export const NO_TIMINGS: Timings = { ...ZERO, cpu: ZERO, mainCpu: ZERO, faults: ZERO, rssMB: ZERO };

/** CPU time of the process so far (every thread), ms. */
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * CPU time of this thread so far, ms (Linux: /proc/thread-self, 10 ms ticks; NaN elsewhere): what
 * the phases cost the main thread, beside the workers reading with it.
 */
const threadCpuMs = (): number => {
  try {
    // (fields after the command's closing parenthesis: utime and stime are the 12th and 13th)
    const f = readFileSync('/proc/thread-self/stat', 'latin1');
    const w = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(w[11]) + Number(w[12])) * 10;
  } catch {
    return NaN;
  }
};

/** Page faults of the process so far that needed no read from disk (each ~10 µs on the benchmark's VM). */
export const minorFaults = (): number => process.resourceUsage().minorPageFault;

/** Resident memory now, MB. */
const rssMB = (): number => process.memoryUsage.rss() / 1048576;

interface Mark {
  ms: number;
  cpu: number;
  main: number;
  faults: number;
  rss: number;
}

export class PhaseMeter {
  private readonly marks: Mark[] = [];

  /** The start of the next phase (the first: of the load), the end of the one before. */
  mark(): void {
    this.marks.push({ ms: performance.now(), cpu: cpuMs(), main: threadCpuMs(), faults: minorFaults(), rss: rssMB() });
  }

  /** The phases between the marks: read, match, analyse (the last ends now). */
  timings(logOnly?: Timings['logOnly']): Timings {
    this.mark();
    const m = this.marks;
    const of = (f: (x: Mark) => number): PhaseFigures => ({ read: f(m[1]!) - f(m[0]!), match: f(m[2]!) - f(m[1]!), analyse: f(m[3]!) - f(m[2]!) });
    return {
      ...of((x) => x.ms), cpu: of((x) => x.cpu), mainCpu: of((x) => x.main), faults: of((x) => x.faults),
      rssMB: { read: m[1]!.rss, match: m[2]!.rss, analyse: m[3]!.rss },
      ...(logOnly ? { logOnly } : {}),
    };
  }
}
