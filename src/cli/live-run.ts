/**
 * Live runs from the command line (issue 18): a LiveSpec (live-spec.ts) turned into the live
 * engine's inputs (src/flows/live-session.ts) from the sources in src/read: the capture tool's
 * stream (`-i`, capture.ts), the FILEs followed as they grow (`--follow`, follow.ts through
 * live-follow.ts), standard input (`-`), and syslog received (`--syslog`, syslog-server.ts). The
 * capture tool is always ended when rsttui ends (installCleanup: exit, SIGINT, SIGTERM, SIGHUP).
 * Then the headless run (`flows`, `summary`): each connection's record as it is over.
 */
import { startCapture, installCleanup, type Capture } from '../read/capture.js';
import { listenSyslog, type SyslogListener } from '../read/syslog-server.js';
import type { LiveInputs } from '../flows/live-session.js';
import type { LiveSpec } from './live-spec.js';
import { followInputs } from './live-follow.js';
import { runLiveFlows, type LiveFlowsOptions } from './live-flows.js';
import { loadOptions, vantageNames } from './load.js';
import { UsageError, type Parsed } from './main.js';
import { stripControls } from '../text.js';

/** What a live run holds open: ended by `close` (the capture tool stopped, the listeners closed). */
export interface LiveRun {
  inputs: LiveInputs;
  captures: Capture[];
  listeners: SyslogListener[];
  stop: AbortController;
  close(): Promise<void>;
}

/** The engine's options from the command line's (input options and the live ones). */
export function liveOptions(p: Parsed, spec: LiveSpec): LiveFlowsOptions {
  const o = loadOptions(p);
  const keep = spec.keep === undefined ? undefined : 'count' in spec.keep ? { count: spec.keep.count } : { seconds: spec.keep.seconds };
  return {
    ...(o.year !== undefined ? { year: o.year } : {}), ...(o.tz !== undefined ? { tz: o.tz } : {}), ...(o.dropPrefixes ? { dropPrefixes: o.dropPrefixes } : {}),
    ...(keep ? { keep } : {}), ...(spec.idleTimeout !== undefined ? { idleTimeout: spec.idleTimeout } : {}),
    ...(spec.count !== undefined ? { count: spec.count } : {}), ...(spec.duration !== undefined ? { duration: spec.duration } : {}),
  };
}

/**
 * Start what the spec names; a source that cannot start gives one line (`error`), after
 * everything already started was ended. `onSignal`: SIGINT/SIGTERM/SIGHUP end the run gracefully.
 */
export async function openLive(p: Parsed, spec: LiveSpec, onNotice: (line: string) => void): Promise<LiveRun | { error: string; usage?: boolean }> {
  const stop = new AbortController();
  const captures: Capture[] = [];
  const listeners: SyslogListener[] = [];
  let uninstall = (): void => {};
  const close = async (): Promise<void> => {
    stop.abort();
    await Promise.all([...captures.map((c) => c.stop()), ...listeners.map((l) => l.close())]);
    uninstall();
  };
  const inputs: LiveInputs = { signal: stop.signal, logs: [], feeds: [] };
  try {
    if (spec.ifaces.length) {
      const cap = startCapture({
        ifaces: spec.ifaces, ...(spec.captureFilter !== undefined ? { filter: spec.captureFilter } : {}),
        ...(spec.writeFile !== undefined ? { writeFile: spec.writeFile } : {}), ...(spec.tool !== undefined ? { tool: spec.tool } : {}),
        ...(spec.bufferMiB !== undefined ? { bufferMiB: spec.bufferMiB } : {}),
        onNotice: (n) => onNotice(n.message),
      });
      captures.push(cap);
      uninstall = installCleanup(captures, { onSignal: () => stop.abort() });
      const err = await cap.ready;
      if (err !== undefined) {
        await close();
        return { error: err };
      }
      inputs.capture = { chunks: cap.stream as AsyncIterable<Uint8Array>, name: spec.ifaces.join('+'), ...(spec.ifaces.length > 1 ? { vantages: spec.ifaces } : {}), path: spec.writeFile ?? '-', stats: () => cap.stats() };
    } else {
      const onSignal = (): void => stop.abort();
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(s, onSignal);
      uninstall = () => { for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, onSignal); };
    }
    if (spec.stdin) {
      if (inputs.capture) return await fail(close, 'live: one capture at a time: -i or - (standard input), not both', true);
      inputs.capture = { chunks: process.stdin as AsyncIterable<Uint8Array>, name: 'stdin', path: '-' };
    }
    const files = spec.files.filter((f) => f !== '-');
    if (files.length) {
      const followed = await followInputs(files, vantageNames(p), stop.signal);
      if (followed.capture) {
        if (inputs.capture) return await fail(close, `live: one capture at a time: ${followed.capture.name} and ${inputs.capture.name} (merge files with mergecap)`, true);
        inputs.capture = followed.capture;
      }
      inputs.logs!.push(...(followed.logs ?? []));
    }
    for (const url of spec.syslog) {
      let sink: ((line: string) => void) | undefined;
      const l = await listenSyslog(url, (line) => sink?.(line), (i) => onNotice(`syslog ${i.peer}: ${i.message}`));
      listeners.push(l);
      const name = `syslog ${l.address.proto}://${l.address.host}:${l.address.port}`;
      onNotice(`${name}: listening`);
      inputs.feeds!.push({ name, start: (onLine) => { sink = onLine; return () => { sink = undefined; }; } });
    }
  } catch (e) {
    await close();
    return { error: e instanceof Error ? e.message : String(e), usage: e instanceof UsageError };
  }
  return { inputs, captures, listeners, stop, close };
}

/**
 * The capture tool's own final counts, one line for stderr once the run is over (as tshark and
 * dumpcap end theirs): dumpcap says its drops only when it ends, so the live status bar could not.
 * None when nothing was captured from an interface.
 */
export function captureEndLines(run: LiveRun, ifaces: string[]): string[] {
  return run.captures.map((c) => {
    const st = c.stats();
    const got = st.received === undefined ? 'packets not counted' : `${st.received} packets received`;
    const lost = st.dropped === undefined ? 'drops not reported' : `${st.dropped} dropped`;
    return stripControls(`capture on ${ifaces.join(', ')} (${c.tool ?? 'no tool'}): ${got}, ${lost}`);
  });
}

async function fail(close: () => Promise<void>, error: string, usage = false): Promise<{ error: string; usage: boolean }> {
  await close();
  return { error, usage };
}

/** `rsttui flows|summary` with live input: each connection's NDJSON record when it is over (flows), the summary at the end. */
export async function runLive(p: Parsed, spec: LiveSpec): Promise<number> {
  if (p.cmd.name !== 'flows' && p.cmd.name !== 'summary') throw new UsageError(`${p.cmd.name} reads finished files; live input (-i, --follow, --syslog) is for the UI, flows and summary`);
  const format = (p.values.format as string | undefined) ?? 'ndjson';
  if (p.cmd.name === 'flows' && format !== 'ndjson' && format !== 'table') throw new UsageError(`live flows writes ndjson records (got --format ${format})`);
  const tty = process.stderr.isTTY === true;
  const run = await openLive(p, spec, (line) => { if (tty) process.stderr.write(`rsttui: ${stripControls(line)}\n`); });
  if ('error' in run) {
    if (run.usage) throw new UsageError(run.error);
    process.stderr.write(`rsttui: ${stripControls(run.error)}\n`);
    return 1;
  }
  // summary: the records are not written, the summary lines (on stderr) are the output
  const sink = p.cmd.name === 'summary' ? nullStream() : process.stdout;
  try {
    const r = await runLiveFlows(liveOptions(p, spec), run.inputs, sink, p.cmd.name === 'summary' ? process.stdout : process.stderr);
    return r.status;
  } finally {
    await run.close();
    for (const l of captureEndLines(run, spec.ifaces)) process.stderr.write(`rsttui: ${l}\n`);
  }
}

function nullStream(): NodeJS.WritableStream {
  return { write: () => true } as unknown as NodeJS.WritableStream;
}
