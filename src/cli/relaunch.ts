/**
 * Large inputs run in a child process whose malloc asks Linux for transparent huge pages (glibc's
 * `glibc.malloc.hugetlb=1` tunable; `mmap_threshold` fixed at 2 MiB so that every buffer of a huge
 * page or more is a mapping of its own, returned to the OS when freed, while smaller ones are
 * reused from the heap). Why: a load writes a lot of fresh memory (~1.7 GB of pages at 10 M log
 * lines, tables and transients together), and on a VM a 4 KiB page's first touch costs ~10 µs
 * (measured on the benchmark's machine: 10-13 µs a page, 0.3 µs a page in 2 MiB pages). At 10 M
 * log lines the page faults fell from ~425 k to ~110 k and the run from 18.4-20.0 s to 16.5-18.2 s
 * (three alternated runs each); at 10 M packets 4.4-5.9 s became 4.2-5.1 s. A threshold of 256 KiB
 * did as well on the log but made the capture slower (5.2-6.6 s): its blocks of a few hundred KiB,
 * freed and taken again, then went back to the OS and faulted in again each time. Where the kernel gives huge pages only to memory that asks (THP `madvise`, the
 * default of many distributions), malloc must ask, and glibc reads its tunables once, at exec:
 * hence a child. Elsewhere (THP `always` or `never`, not Linux, not glibc ≥ 2.35), or for inputs
 * under RELAUNCH_MIN_BYTES, nothing happens.
 *
 * The launcher imports nothing of the CLI: it waits for the child, passes on the signals a user
 * or a supervisor sends it, and exits as the child did. `RSTTUI_HUGEPAGES=0` never relaunches;
 * `=1` relaunches whatever the inputs' size (where the system allows).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
// (set in the child: its buffers are taken from malloc, which maps them in huge pages)
import { HUGE_PAGES_ENV } from '../flows/memory.js';

/**
 * What the child's glibc is told (tunables are read at exec only). A fixed mmap_threshold also
 * fixes the trim threshold, at 128 KiB unless set: the heap's free top went back to the OS and
 * faulted in again at its next use (the optimizing compiler's memory, above all). With 32 MiB
 * kept: faults at 10 M log lines ~105 k -> ~71 k, at 10 M packets ~122 k -> ~86 k (peak RSS
 * 527 -> 559 MB there, the log's the same).
 */
export const HUGE_TUNABLES = 'glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=2097152:glibc.malloc.trim_threshold=33554432';
/** the launcher's time origin (ms since the epoch) and its own resident memory (KiB), for RSTTUI_REPORT */
export const ORIGIN_ENV = 'RSTTUI_LAUNCHER_ORIGIN';
export const RSS_ENV = 'RSTTUI_LAUNCHER_RSS_KB';
/** inputs from this many bytes up (a gzip file counted 5 times its size) are worth the child's start (~120 ms on the benchmark VM; at 165 MB of log the relaunch lost that and gained nothing) */
export const RELAUNCH_MIN_BYTES = 512 << 20;

export interface HostFacts {
  platform: string;
  /** the contents of /sys/kernel/mm/transparent_hugepage/enabled, undefined when unreadable */
  thp: string | undefined;
  /** glibc's version, undefined when not glibc */
  glibc: () => string | undefined;
  /** a path's size when it is a regular file */
  size: (path: string) => number | undefined;
}

const realFacts: HostFacts = {
  platform: process.platform,
  get thp() {
    try {
      return readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'latin1');
    } catch {
      return undefined;
    }
  },
  glibc: () => (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime,
  size: (p) => {
    try {
      const s = statSync(p);
      return s.isFile() ? s.size : undefined;
    } catch {
      return undefined;
    }
  },
};

/** Bytes of input named on the command line: each argument that is a regular file. */
export function inputBytes(argv: readonly string[], size: HostFacts['size']): number {
  let total = 0;
  for (const a of argv) {
    if (a.startsWith('-')) continue;
    const s = size(a);
    if (s !== undefined) total += /\.gz$/i.test(a) ? 5 * s : s;
  }
  return total;
}

/**
 * The GLIBC_TUNABLES a relaunch would give the child, or why there is none. Pure (facts passed in):
 * tested on every branch.
 */
export function hugePagesPlan(argv: readonly string[], env: NodeJS.ProcessEnv, host: HostFacts): { tunables: string } | { skip: string } {
  const want = env.RSTTUI_HUGEPAGES;
  if (want === '0') return { skip: 'RSTTUI_HUGEPAGES=0' };
  if (env[HUGE_PAGES_ENV] !== undefined) return { skip: 'relaunched already' };
  if (env.GLIBC_TUNABLES?.includes('glibc.malloc.hugetlb')) return { skip: 'GLIBC_TUNABLES sets hugetlb already' };
  if (host.platform !== 'linux') return { skip: 'not Linux' };
  const thp = host.thp;
  if (thp === undefined || !thp.includes('[madvise]')) return { skip: `transparent huge pages: ${thp?.trim() ?? 'none'}` };
  if (want !== '1' && inputBytes(argv, host.size) < RELAUNCH_MIN_BYTES) return { skip: 'small inputs' };
  const m = /^(\d+)\.(\d+)/.exec(host.glibc() ?? '');
  if (!m || Number(m[1]) * 1000 + Number(m[2]) < 2035) return { skip: 'not glibc 2.35 or later' };
  return { tunables: env.GLIBC_TUNABLES ? `${env.GLIBC_TUNABLES}:${HUGE_TUNABLES}` : HUGE_TUNABLES };
}

/**
 * This process's own resident memory (KiB): its anonymous and shared pages, not the pages of the
 * node binary and libraries, which the child maps too (~34 MB of a bare node's ~40 MB of RSS).
 */
function ownMemoryKB(): number {
  try {
    const st = readFileSync('/proc/self/status', 'latin1');
    const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(st)?.[1] ?? NaN);
    const own = kb('RssAnon') + kb('RssShmem');
    if (Number.isFinite(own)) return own;
  } catch {
    // (below)
  }
  return Math.round(process.memoryUsage.rss() / 1024);
}

/** signals passed on to the child; and those a terminal sends both (Ctrl-C, Ctrl-\), which the launcher ignores */
const PASSED_ON = ['SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'] as const;
const IGNORED = ['SIGINT', 'SIGQUIT'] as const;

/**
 * Relaunch this script in a child with huge pages when hugePagesPlan says so; resolves with the
 * child's exit code (a signal that ended the child ends the launcher too). Undefined (or a
 * promise of it, when the child could not start): run here.
 */
export function relaunchForHugePages(script: string, argv: readonly string[], host: HostFacts = realFacts): Promise<number | undefined> | undefined {
  const plan = hugePagesPlan(argv, process.env, host);
  if (!('tunables' in plan)) return undefined;
  const env = {
    ...process.env, GLIBC_TUNABLES: plan.tunables, [HUGE_PAGES_ENV]: '1',
    [ORIGIN_ENV]: String(performance.timeOrigin), [RSS_ENV]: String(ownMemoryKB()),
  };
  let c: ChildProcess;
  try {
    c = spawn(process.execPath, [...process.execArgv, script, ...argv], { stdio: 'inherit', env });
  } catch {
    return undefined;
  }
  for (const s of PASSED_ON) process.on(s, () => c.kill(s));
  for (const s of IGNORED) process.on(s, () => undefined);
  const release = (): void => {
    for (const s of [...PASSED_ON, ...IGNORED]) process.removeAllListeners(s);
  };
  return new Promise((resolve) => {
    // (spawn's only error before exit is a child that did not start: nothing ran yet)
    c.once('error', () => {
      release();
      resolve(undefined);
    });
    c.once('exit', (code, signal) => {
      if (signal) {
        release();
        process.kill(process.pid, signal);
      }
      resolve(code ?? 1);
    });
  });
}
