/**
 * The capture tools rsttui runs for `-i IFACE` (capture.ts): which one, its arguments, what its
 * stderr says (counts, readiness), and a failure turned into one line saying what to do.
 *
 * dumpcap (Wireshark's capture engine) is preferred: several interfaces in one pcapng file, each
 * interface its own IDB (so each is its own vantage), and the drop counts per interface. tcpdump
 * is the fallback: one interface, classic pcap.
 */
import { accessSync, constants } from 'node:fs';
import { execFile } from 'node:child_process';
import { delimiter, join } from 'node:path';

export type CaptureTool = 'dumpcap' | 'tcpdump';

/** Where the tools live besides PATH (sbin is often missing from a user's PATH). */
const TOOL_DIRS = ['/usr/bin', '/usr/sbin', '/bin', '/sbin', '/usr/local/bin', '/usr/local/sbin'];

/** The executable `name` in searchPath (default: PATH, then the usual bin and sbin directories). */
export function findTool(name: string, searchPath?: string): string | undefined {
  const dirs = searchPath !== undefined ? searchPath.split(delimiter) : [...(process.env.PATH ?? '').split(delimiter), ...TOOL_DIRS];
  for (const d of dirs) {
    if (d === '') continue;
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

const INSTALL_DUMPCAP = 'install dumpcap (Debian/Ubuntu: apt install wireshark-common; Fedora/RHEL: dnf install wireshark-cli; macOS: brew install wireshark)';

/** Which tool to run: the one asked for, else dumpcap, else tcpdump (one interface only). */
export function chooseTool(ifaces: readonly string[], wanted?: CaptureTool, searchPath?: string): { tool: CaptureTool; bin: string } | { error: string } {
  if (wanted === 'tcpdump' && ifaces.length > 1) {
    return { error: `tcpdump captures one interface at a time (${ifaces.length} -i given): use dumpcap (--tool dumpcap) for several` };
  }
  const order: CaptureTool[] = wanted ? [wanted] : ['dumpcap', 'tcpdump'];
  for (const tool of order) {
    const bin = findTool(tool, searchPath);
    if (bin === undefined) continue;
    if (tool === 'tcpdump' && ifaces.length > 1) {
      return { error: `capturing on several interfaces (${ifaces.join(', ')}) needs dumpcap, and only tcpdump is installed: ${INSTALL_DUMPCAP}` };
    }
    return { tool, bin };
  }
  if (wanted === 'dumpcap') return { error: `dumpcap not found: ${INSTALL_DUMPCAP}` };
  if (wanted === 'tcpdump') return { error: 'tcpdump not found: install it (apt install tcpdump), or use dumpcap (--tool dumpcap)' };
  return { error: `no capture tool found: ${INSTALL_DUMPCAP}, or tcpdump (apt install tcpdump)` };
}

/**
 * The kernel's capture buffer, MiB, unless -B says otherwise. dumpcap's own default (2 MiB) holds
 * about 40 ms of a 50 k packets/s link: a reader that pauses longer (a garbage collection, a
 * redraw) makes the tool wait on the pipe and the kernel drop. 32 MiB holds some seconds.
 */
export const DEFAULT_BUFFER_MIB = 32;

/**
 * The tool's arguments: the capture to `-` (standard output) or to writeFile.
 * dumpcap: `-n` pcapng; `-B` the kernel buffer (MiB) before the first `-i`, for every interface,
 * as `-f` is every interface's filter; not `-q`, so that it reports its packet count as it goes
 * ("Packets: N", every half second or so).
 * tcpdump: `-U` writes each packet at once (not when its buffer fills); `-B` in KiB; the filter after `--`.
 */
export function captureArgs(tool: CaptureTool, ifaces: readonly string[], filter: string | undefined, writeFile: string | undefined, bufferMiB = DEFAULT_BUFFER_MIB): string[] {
  const out = writeFile ?? '-';
  if (tool === 'dumpcap') {
    return ['-n', '-B', String(bufferMiB), ...(filter ? ['-f', filter] : []), ...ifaces.flatMap((i) => ['-i', i]), '-w', out];
  }
  return ['-U', '-B', String(bufferMiB * 1024), '-i', ifaces[0]!, '-w', out, ...(filter ? ['--', filter] : [])];
}

/** What one line of the tool's stderr says. */
export type StderrFact =
  | { kind: 'ready' }
  | { kind: 'live'; received: number; dropped?: number }
  | { kind: 'final-iface'; received: number; dropped: number }
  | { kind: 'final-received'; received: number }
  | { kind: 'final-dropped'; dropped: number }
  | { kind: 'noise' }
  | { kind: 'text' };

/** One line (split at CR and LF) of dumpcap's or tcpdump's stderr. */
export function stderrFact(tool: CaptureTool, line: string): StderrFact {
  let m: RegExpExecArray | null;
  if (tool === 'dumpcap') {
    if (line.startsWith('File: ')) return { kind: 'ready' };
    if ((m = /^Packets: (\d+)/.exec(line))) return { kind: 'live', received: Number(m[1]) };
    if ((m = /^Packets received\/dropped on interface .*: (\d+)\/(\d+)/.exec(line))) return { kind: 'final-iface', received: Number(m[1]), dropped: Number(m[2]) };
    if (/^Packets captured: \d+/.test(line) || line.startsWith('Capturing on ')) return { kind: 'noise' };
    return { kind: 'text' };
  }
  if (/^tcpdump: listening on /.test(line)) return { kind: 'ready' };
  // (the counts tcpdump prints on SIGUSR1 while it runs)
  if ((m = /(\d+) packets? captured, (\d+) packets? received by filter, (\d+) packets? dropped by kernel/.exec(line))) {
    return { kind: 'live', received: Number(m[2]), dropped: Number(m[3]) };
  }
  if ((m = /^(\d+) packets? received by filter/.exec(line))) return { kind: 'final-received', received: Number(m[1]) };
  if ((m = /^(\d+) packets? dropped by kernel/.exec(line))) return { kind: 'final-dropped', dropped: Number(m[1]) };
  if (/^\d+ packets? (captured|dropped by interface)/.test(line)) return { kind: 'noise' };
  return { kind: 'text' };
}

/** Interface names of `dumpcap -D` (`1. eth0`, `3. lo (Loopback)`) or `tcpdump -D` (`1.eth0 [Up, Running]`). */
export function parseInterfaceList(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*\d+\.\s*(\S+)/.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}

/** `TOOL -D`: the interfaces it can capture on ([] when that fails). */
export function listInterfaces(bin: string): Promise<string[]> {
  return new Promise((resolve) => {
    execFile(bin, ['-D'], { timeout: 3000, encoding: 'utf8' }, (err, stdout) => resolve(err && !stdout ? [] : parseInterfaceList(stdout)));
  });
}

export interface FailureContext {
  tool: CaptureTool;
  bin: string;
  ifaces: readonly string[];
  filter?: string | undefined;
  writeFile?: string | undefined;
  /** the tool's stderr lines that were neither counts nor progress */
  lines: readonly string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  /** the interfaces the tool lists (for an unknown interface) */
  known?: readonly string[];
}

/** The interface a failure names, else the first one asked for. */
function ifaceNamed(c: FailureContext, all: string): string {
  const m = /device named "([^"]+)"/.exec(all) ?? /interface '([^']+)'/.exec(all) ?? /^tcpdump: ([^:\s]+): /m.exec(all) ?? /device "([^"]+)"/.exec(all);
  return m?.[1] ?? c.ifaces[0] ?? '?';
}

const firstReason = (c: FailureContext): string => {
  const own = c.lines.find((l) => l.startsWith(`${c.tool}: `));
  const l = own ?? c.lines.find((x) => x.trim() !== '');
  return l === undefined ? '' : l.replace(`${c.tool}: `, '').trim();
};

/** Why the capture tool failed, as one line saying what to run. */
export function describeFailure(c: FailureContext): string {
  const all = c.lines.join('\n');
  if (c.writeFile !== undefined && (/could not be opened/.test(all) || all.includes(`${c.writeFile}:`))) {
    const why = /could not be opened: ([^.\n]+)/.exec(all)?.[1] ?? /: ([^:\n]+)$/m.exec(all.split('\n').find((l) => l.includes(`${c.writeFile}:`)) ?? '')?.[1];
    return `cannot write the capture to ${c.writeFile}${why ? `: ${why}` : ''} (-w)`;
  }
  if (/permission|not permitted/i.test(all)) {
    return `no permission to capture on ${ifaceNamed(c, all)}: run rsttui as root (sudo), or allow ${c.tool} to capture: sudo setcap cap_net_raw,cap_net_admin=eip ${c.bin}`;
  }
  if (/no device named|no such device|doesn't exist/i.test(all)) {
    const known = c.known && c.known.length > 0 ? ` (interfaces: ${c.known.slice(0, 12).join(', ')}${c.known.length > 12 ? ', ...' : ''})` : '';
    return `no interface ${ifaceNamed(c, all)}${known}: see ${c.tool} -D for the names -i takes`;
  }
  if (/not up|is down/i.test(all)) return `interface ${ifaceNamed(c, all)} is down: bring it up (ip link set ${ifaceNamed(c, all)} up) or pick another (${c.tool} -D)`;
  if (/capture filter|parse filter|filter expression/i.test(all)) {
    const why = /\(([^()]*(?:syntax|error|unknown|expression)[^()]*)\)/i.exec(all)?.[1] ?? /filter expression: (.*)$/m.exec(all)?.[1];
    return `capture filter '${c.filter ?? ''}' is not valid${why ? `: ${why}` : ''} (-f takes libpcap syntax, e.g. -f 'tcp port 443'; see man pcap-filter)`;
  }
  const reason = firstReason(c);
  const how = c.signal ? `was killed by ${c.signal}` : `failed (exit code ${c.code})`;
  return `${c.tool} ${how}${reason ? `: ${reason}` : ''}`;
}
