/**
 * Live capture for `rsttui -i IFACE [-f FILTER] [-w FILE]`: rsttui runs dumpcap (else tcpdump) as
 * a child process and reads what it writes (capture-tools.ts has the tools' arguments and words).
 *
 * - Without -w the tool writes to a pipe (`-w -`), which `stream` is. If rsttui reads too slowly
 *   the pipe fills, the tool waits, and the kernel drops packets (counted in the tool's drops).
 * - With -w FILE the tool writes the file and `stream` follows it as it grows (follow.ts), from
 *   when the tool has opened it until the tool has exited and the file is read to its end: the
 *   file holds every packet the tool got, whatever rsttui does, and the tool never waits for it.
 *
 * Counts (`stats()`): dumpcap reports the packets it has captured every half second or so, but its
 * drops only when the capture ends ("Packets received/dropped on interface ..." per interface,
 * also written as pcapng Interface Statistics Blocks); it has no way to ask for them sooner (its
 * `-S` opens every interface again to count, and Wireshark's own status bar also shows the drops
 * only after the capture). tcpdump prints its kernel drop count on SIGUSR1, asked once a second.
 *
 * The child is ended with rsttui: `installCleanup()` sends it SIGTERM on exit, SIGINT, SIGTERM and
 * SIGHUP (a lost SSH session); both tools then finish their file and print their counts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Readable } from 'node:stream';
import { stripControls } from '../text.js';
import { follow, type FollowNotice } from './follow.js';
import { captureArgs, chooseTool, describeFailure, listInterfaces, stderrFact, type CaptureTool } from './capture-tools.js';

export type { CaptureTool } from './capture-tools.js';

export interface CaptureOptions {
  /** interfaces, in order (each is a vantage: its own IDB in dumpcap's pcapng) */
  ifaces: string[];
  /** capture filter, libpcap syntax (-f) */
  filter?: string;
  /** the tool writes this file and rsttui follows it (-w) */
  writeFile?: string;
  /** default: dumpcap if installed, else tcpdump (one interface only) */
  tool?: CaptureTool;
  /** the kernel's capture buffer, MiB (-B; default DEFAULT_BUFFER_MIB) */
  bufferMiB?: number;
  /** directories to look for the tools in, PATH-style (default: PATH and the usual sbin directories) */
  searchPath?: string;
  /** how often the -w file is looked at besides inotify (default 100 ms) */
  pollMs?: number;
  /** how often tcpdump is asked for its counts (SIGUSR1; default 1000 ms) */
  statsMs?: number;
  /** notices of the -w file's follower (it should never be rotated or truncated under the tool) */
  onNotice?: (n: FollowNotice) => void;
}

export interface CaptureStats {
  /** packets the tool has captured (dumpcap, while running), or received (tcpdump; and both at the end) */
  received: number | undefined;
  /** packets lost by the kernel or the tool: undefined while dumpcap runs (it says so only at the end) */
  dropped: number | undefined;
  /** the tool's final counts (it has exited) */
  final: boolean;
}

export interface CaptureEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** one line for the user when the capture failed (not when stop() ended it) */
  error?: string;
}

export interface Capture {
  /** the tool run (undefined when none could be) */
  tool: CaptureTool | undefined;
  pid: number | undefined;
  /** what `stream` carries */
  format: 'pcapng' | 'pcap';
  /** the capture's bytes, as the tool writes them */
  stream: NodeJS.ReadableStream;
  /** settles once the tool is capturing (undefined) or has failed (its one-line error) */
  ready: Promise<string | undefined>;
  stats(): CaptureStats;
  /** end the capture (SIGTERM, SIGKILL after 3 s): the tool finishes its output and exits */
  stop(): Promise<CaptureEnd>;
  /** SIGTERM now, synchronously (for exit handlers) */
  kill(): void;
  done: Promise<CaptureEnd>;
}

function failed(error: string): Capture {
  const end: CaptureEnd = { code: null, signal: null, error };
  return {
    tool: undefined, pid: undefined, format: 'pcapng', stream: Readable.from([]),
    ready: Promise.resolve(error),
    stats: () => ({ received: undefined, dropped: undefined, final: true }),
    stop: () => Promise.resolve(end), kill: () => {}, done: Promise.resolve(end),
  };
}

export function startCapture(opts: CaptureOptions): Capture {
  if (opts.ifaces.length === 0) return failed('no interface to capture on (-i IFACE)');
  const choice = chooseTool(opts.ifaces, opts.tool, opts.searchPath);
  if ('error' in choice) return failed(choice.error);
  const { tool, bin } = choice;
  const child: ChildProcess = spawn(bin, captureArgs(tool, opts.ifaces, opts.filter, opts.writeFile, opts.bufferMiB), {
    stdio: ['ignore', opts.writeFile === undefined ? 'pipe' : 'ignore', 'pipe'],
  });
  let running = child.pid !== undefined;
  let stopping = false;
  let isReady = false;
  const st: CaptureStats = { received: undefined, dropped: undefined, final: false };
  let finalRecv: number | undefined;
  let finalDrop: number | undefined;
  const lines: string[] = [];
  let settleReady!: (v: string | undefined) => void;
  const ready = new Promise<string | undefined>((r) => (settleReady = r));
  let exited!: () => void;
  const exit = new Promise<void>((r) => (exited = r));
  let statsTimer: NodeJS.Timeout | undefined;

  let carry = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => {
    const parts = (carry + s).split(/[\r\n]/);
    carry = parts.pop()!;
    for (const raw of parts) {
      const line = stripControls(raw).trimEnd();
      if (line === '') continue;
      const f = stderrFact(tool, line);
      switch (f.kind) {
        case 'ready':
          if (!isReady) {
            isReady = true;
            settleReady(undefined);
            if (tool === 'tcpdump') {
              statsTimer = setInterval(() => running && !stopping && child.kill('SIGUSR1'), opts.statsMs ?? 1000);
              statsTimer.unref();
            }
          }
          break;
        case 'live':
          st.received = f.received;
          if (f.dropped !== undefined) st.dropped = f.dropped;
          break;
        case 'final-iface':
          finalRecv = (finalRecv ?? 0) + f.received;
          finalDrop = (finalDrop ?? 0) + f.dropped;
          break;
        case 'final-received':
          finalRecv = f.received;
          break;
        case 'final-dropped':
          finalDrop = f.dropped;
          break;
        case 'text':
          if (lines.length < 40) lines.push(line);
          break;
      }
    }
    // dumpcap's running count is "\rPackets: N " with no end of line until the next one
    const m = /^Packets: (\d+) $/.exec(carry);
    if (tool === 'dumpcap' && m) st.received = Number(m[1]);
  });

  const done = new Promise<CaptureEnd>((resolve) => {
    let settled = false;
    const finish = async (code: number | null, signal: NodeJS.Signals | null, spawnError?: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      running = false;
      clearInterval(statsTimer);
      exited();
      if (carry !== '') lines.push(stripControls(carry));
      if (finalRecv !== undefined) st.received = finalRecv;
      if (finalDrop !== undefined) st.dropped = finalDrop;
      st.final = true;
      const end: CaptureEnd = { code, signal };
      const stoppedByUs = stopping && (code === 0 || signal !== null || (code !== null && code >= 128));
      if (spawnError) {
        end.error = spawnError.code === 'ENOENT' ? `${bin} not found` : `cannot run ${bin}: ${spawnError.message}`;
      } else if (!stoppedByUs && (code !== 0 || !isReady)) {
        const ctx = { tool, bin, ifaces: opts.ifaces, filter: opts.filter, writeFile: opts.writeFile, lines, code, signal };
        const all = lines.join('\n');
        const known = /no device named|no such device|doesn't exist/i.test(all) ? await listInterfaces(bin) : undefined;
        end.error = describeFailure(known ? { ...ctx, known } : ctx);
      }
      settleReady(end.error ?? (isReady ? undefined : `${tool} ended before it started capturing`));
      resolve(end);
    };
    child.once('error', (e) => void finish(null, null, e as NodeJS.ErrnoException));
    // 'close': exited and its stderr read to the end (the final counts are in)
    child.once('close', (code, signal) => void finish(code, signal));
  });

  let killTimer: NodeJS.Timeout | undefined;
  const kill = (): void => {
    if (!running) return;
    stopping = true;
    child.kill('SIGTERM');
  };
  const stop = (): Promise<CaptureEnd> => {
    if (running && killTimer === undefined) {
      kill();
      killTimer = setTimeout(() => running && child.kill('SIGKILL'), 3000);
      killTimer.unref();
      void done.then(() => clearTimeout(killTimer));
    }
    return done;
  };

  let stream: NodeJS.ReadableStream;
  if (opts.writeFile === undefined) stream = child.stdout!;
  else {
    const path = opts.writeFile;
    // (follow the file only once the tool has opened it: until then it may hold an older capture)
    async function* fromFile(): AsyncGenerator<Uint8Array> {
      if ((await ready) !== undefined) return;
      yield* follow(path, { pollMs: opts.pollMs ?? 100, drainOn: exit, ...(opts.onNotice ? { onNotice: opts.onNotice } : {}) });
    }
    stream = Readable.from(fromFile(), { objectMode: false });
  }

  return {
    tool, pid: child.pid, format: tool === 'dumpcap' ? 'pcapng' : 'pcap', stream, ready,
    stats: () => ({ ...st }), stop, kill, done,
  };
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface CleanupOptions {
  /**
   * Called on SIGINT, SIGTERM or SIGHUP after the captures were told to stop (stop()): the caller
   * finishes (e.g. prints its summary) and exits. Without it the signal is raised again once the
   * captures have been sent SIGTERM, so rsttui ends as the signal says.
   */
  onSignal?: (signal: NodeJS.Signals) => void;
}

/**
 * End the capture tools whenever rsttui ends: on process exit (whatever the cause, `q` included)
 * and on SIGINT, SIGTERM and SIGHUP. Returns a function that removes the handlers.
 * (SIGKILL cannot be caught: a tool writing to the pipe then dies of EPIPE at its next packet;
 * one writing -w FILE goes on until stopped.)
 */
export function installCleanup(captures: Capture | readonly Capture[], opts: CleanupOptions = {}): () => void {
  const list = Array.isArray(captures) ? (captures as readonly Capture[]) : [captures as Capture];
  const killAll = (): void => list.forEach((c) => c.kill());
  const onSignal = (sig: NodeJS.Signals): void => {
    if (opts.onSignal) {
      list.forEach((c) => void c.stop());
      opts.onSignal(sig);
      return;
    }
    killAll();
    uninstall();
    process.kill(process.pid, sig);
  };
  const uninstall = (): void => {
    process.off('exit', killAll);
    for (const s of SIGNALS) process.off(s, onSignal);
  };
  process.on('exit', killAll);
  for (const s of SIGNALS) process.on(s, onSignal);
  return uninstall;
}
