/**
 * The live options of the UI, `flows` and `summary` (declared in commands.ts) checked and turned
 * into a plain LiveSpec for the live engine: what to capture, follow and receive, and when to
 * stop or forget. Errors are UsageErrors of one line (exit status 2).
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseListenUrl, type ListenUrl } from '../read/syslog-framing.js';
import type { CaptureTool } from '../read/capture-tools.js';
import { UsageError, type Parsed } from './main.js';

export interface LiveSpec {
  /** -i, in order; each is a vantage */
  ifaces: string[];
  /** -f: the capture filter (libpcap syntax), for the capture tool */
  captureFilter?: string;
  /** -w: the file the capture tool writes (and rsttui follows) */
  writeFile?: string;
  /** --tool (undefined: dumpcap if installed, else tcpdump) */
  tool?: CaptureTool;
  /** -B: the kernel capture buffer, MiB (undefined: DEFAULT_BUFFER_MIB) */
  bufferMiB?: number;
  /** the FILE arguments, in order ('-' is standard input) */
  files: string[];
  /** --follow: each FILE is followed as it grows (tail -F) */
  follow: boolean;
  /** '-' is among the files: standard input is read as it comes */
  stdin: boolean;
  /** --syslog, parsed (host 127.0.0.1 when none was given) */
  syslog: ListenUrl[];
  /** --keep: the most recent closed connections by age (seconds) or by number */
  keep?: { seconds: number } | { count: number };
  /** --idle-timeout, seconds */
  idleTimeout?: number;
  /** -c: stop after this many connection records */
  count?: number;
  /** --duration: stop after this many seconds */
  duration?: number;
}

const UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** `90`, `90s`, `10m`, `1.5h`, `2d` -> seconds (> 0); throws a UsageError naming the option. */
export function parseDuration(v: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/.exec(v.trim());
  const n = m ? Number(m[1]) * UNITS[m[2]!]! : NaN;
  if (!(n > 0)) throw new UsageError(`${option} wants a duration in seconds, or with a unit (90, 90s, 10m, 2h, 1d), got '${v}'`);
  return n;
}

function count(v: string, option: string, what: string): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) {
    throw new UsageError(`${option} wants ${what} (a whole number above 0), got '${v}'`);
  }
  return Number(v);
}

/** Whether paths a and b name the same file (by name, or by device and inode when both exist). */
function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  if (!existsSync(a) || !existsSync(b)) return false;
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/**
 * The live part of a parsed command line, or undefined when nothing is live (files read once).
 * Live: -i, --follow, --syslog; the stop and keep options also apply to standard input (`-`).
 */
export function liveSpecOf(p: Parsed): LiveSpec | undefined {
  const v = p.values;
  const str = (k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const list = (k: string): string[] => (Array.isArray(v[k]) ? (v[k] as string[]) : []);
  const ifaces = list('interface');
  const syslogUrls = list('syslog');
  const follow = v.follow === true;
  const stdin = p.files.includes('-');
  const captureFilter = str('capture-filter');
  const writeFile = str('write');
  const toolName = str('tool');
  const buffer = str('buffer-size');

  for (const i of ifaces) if (i.trim() === '') throw new UsageError('-i wants an interface name (dumpcap -D lists them), got an empty one');
  if (ifaces.length === 0) {
    if (captureFilter !== undefined) {
      throw new UsageError(`-f '${captureFilter}' is a capture filter (as in dumpcap and tshark) and needs -i IFACE; the output format is --format`);
    }
    if (writeFile !== undefined) throw new UsageError('-w FILE keeps what -i captures: it needs -i IFACE');
    if (toolName !== undefined) throw new UsageError('--tool chooses the capture tool of -i: it needs -i IFACE');
    if (buffer !== undefined) throw new UsageError('-B sets the capture buffer of -i: it needs -i IFACE');
  }
  let tool: CaptureTool | undefined;
  if (toolName !== undefined) {
    if (toolName !== 'dumpcap' && toolName !== 'tcpdump') throw new UsageError(`--tool wants dumpcap or tcpdump, got '${toolName}'`);
    tool = toolName;
    if (tool === 'tcpdump' && ifaces.length > 1) throw new UsageError(`tcpdump captures one interface at a time (${ifaces.length} -i given): use --tool dumpcap`);
  }
  if (captureFilter !== undefined && captureFilter.trim() === '') throw new UsageError('-f wants a capture filter, e.g. -f \'tcp port 443\', got an empty one');
  if (writeFile !== undefined) {
    if (writeFile === '' || writeFile === '-') throw new UsageError('-w wants a FILE to keep the capture in (rsttui reads the capture itself)');
    for (const f of p.files) {
      if (f !== '-' && sameFile(writeFile, f)) throw new UsageError(`-w ${writeFile} is also an input: rsttui never writes over an input; pick another file`);
    }
  }
  if (follow) {
    if (p.files.length === 0) throw new UsageError('--follow wants the FILEs to follow');
    if (stdin) throw new UsageError('--follow: - (standard input) is read as it comes anyway; give FILEs to follow');
  }
  const syslog: ListenUrl[] = [];
  for (const u of syslogUrls) {
    let l: ListenUrl;
    try {
      l = parseListenUrl(u);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    if (syslog.some((o) => o.proto === l.proto && o.host === l.host && o.port === l.port)) throw new UsageError(`--syslog ${u} is given twice`);
    syslog.push(l);
  }

  const live = ifaces.length > 0 || follow || syslog.length > 0;
  const stops: [string, string][] = [['keep', '--keep'], ['idle-timeout', '--idle-timeout'], ['count', '-c'], ['duration', '--duration']];
  const given = stops.filter(([k]) => str(k) !== undefined);
  if (!live) {
    if (given.length === 0) return undefined;
    if (!stdin) throw new UsageError(`${given[0]![1]} applies to live input: -i IFACE, --follow FILE, --syslog URL, or - (standard input)`);
  }
  const spec: LiveSpec = { ifaces, files: [...p.files], follow, stdin, syslog };
  if (captureFilter !== undefined) spec.captureFilter = captureFilter;
  if (writeFile !== undefined) spec.writeFile = writeFile;
  if (tool !== undefined) spec.tool = tool;
  if (buffer !== undefined) {
    spec.bufferMiB = count(buffer, '-B', 'the capture buffer in MiB');
    if (spec.bufferMiB > 4096) throw new UsageError(`-B wants the capture buffer in MiB (at most 4096), got '${buffer}'`);
  }
  const keep = str('keep');
  if (keep !== undefined) {
    spec.keep = /^\d+$/.test(keep.trim()) ? { count: count(keep, '--keep', 'a number of connections, or a duration such as 10m') } : { seconds: parseDuration(keep, '--keep') };
  }
  const idle = str('idle-timeout');
  if (idle !== undefined) spec.idleTimeout = parseDuration(idle, '--idle-timeout');
  const c = str('count');
  if (c !== undefined) spec.count = count(c, '-c', 'a number of connection records');
  const d = str('duration');
  if (d !== undefined) spec.duration = parseDuration(d, '--duration');
  return spec;
}
