/**
 * Inputs -> packet table + connection table + firewall events. Each input is sniffed by content:
 * binary captures and text listings become vantage points (packets), firewall syslog becomes
 * events. The per-record path (RecordSink.record -> PacketAdder, in packet-adder.ts) is the hot
 * loop of the whole program: no allocation per packet, one decode, one hash probe, one row.
 */
import { basename } from 'node:path';
import { statSync } from 'node:fs';
import { MARK_SYNTH, type InputIssue } from '../model.js';
import { openInput, readCaptureInput, SourceError, type Input } from '../read/source.js';
import { readTextCapture } from '../read/text-capture.js';
import { FwTable } from './fw-table.js';
import { loadLog, type LogFile } from './fw-load.js';
import { AddrTable } from './addr-table.js';
import { ConnTable, keyOf, KEY_IDS } from './conn-table.js';
import { PacketTable } from './packet-table.js';
import type { RowSpans } from './block-rows.js';
import { PacketAdder } from './packet-adder.js';
import { decodingSink, newStats, newTally, type DecodeStats } from './decode-sink.js';
import type { NflogNotes } from './nflog-notes.js';
import { dropSpareReader, readInWorker, useWorker } from './workers.js';

export type { DecodeStats } from './decode-sink.js';

/** A capture input: one vantage point. */
export interface CaptureFile {
  path: string;
  /** vantage name: the file's base name unless renamed with --name */
  name: string;
  /** pcap, pcapng or text-capture */
  kind: string;
  /** packet-table rows [first, end) came from this file */
  first: number;
  end: number;
  linktypes: Set<number>;
  /** the input carried nanosecond timestamps (pcap ns magic or pcapng tsresol finer than µs) */
  nsec: boolean;
  stats: DecodeStats;
  /** NFLOG captures: each packet's log group and prefix (nflog-notes.ts) */
  nflog?: NflogNotes;
}

export type { LogFile } from './fw-load.js';

export interface LoadProgress {
  /**
   * reading the inputs; matching firewall events into connections (then bytesRead / totalBytes
   * count events); or computing every connection's verdicts (they count connections)
   */
  phase?: 'reading' | 'matching' | 'analysing';
  file: string;
  fileIndex: number;
  files: number;
  bytesRead: number;
  totalBytes: number | undefined;
  packets: number;
  conns: number;
  /** reading a firewall log: the events read so far (the bar counts them instead of packets) */
  events?: number;
}

export interface LoadOptions {
  /** path -> vantage name (--name FILE=NAME) */
  names?: Map<string, string>;
  onProgress?: (p: LoadProgress) => void;
  /**
   * Put the second core to work (workers.ts): 'auto' reads files of 32 MiB and more in a worker
   * and shares the verdict pass from 400 k packets; 'always', 'never'. Default: RSTTUI_WORKER, else 'auto'.
   */
  worker?: 'auto' | 'always' | 'never';
  /**
   * Give the event loop a turn at least this often (ms) while loading, reporting progress: the UI
   * stays answerable while a large capture loads. Headless runs leave it off.
   */
  yieldEveryMs?: number;
  /** --year, --tz, --date for logs and text listings without them */
  year?: number;
  tz?: string;
  date?: string;
  /** --fw-drop-prefix: more netfilter log-prefix words that mean a drop */
  dropPrefixes?: readonly string[];
  /** the shortest range a large log is cut into for the log workers (fw-load.ts; default 8 MiB) */
  logRangeBytes?: number;
  /** (tests) another log worker script, one that fails */
  logWorkerFile?: URL;
}

export interface Ingest {
  /** capture inputs, one vantage each, in command-line order */
  files: CaptureFile[];
  logs: LogFile[];
  /** every firewall event read, in columns, in log order */
  fw: FwTable;
  packets: PacketTable;
  conns: ConnTable;
  addrs: AddrTable;
  issues: InputIssue[];
}

const displayName = (path: string, names: Map<string, string> | undefined): string =>
  names?.get(path) ?? (path === '-' ? 'stdin' : basename(path));

/** Read every input into fresh tables (connections not yet renumbered nor analysed). */
export async function ingestInputs(paths: readonly string[], opts: LoadOptions = {}): Promise<Ingest & { spans: RowSpans }> {
  const packets = new PacketTable();
  const conns = new ConnTable();
  const addrs = new AddrTable();
  const issues: InputIssue[] = [];
  const adder = new PacketAdder(packets, conns, addrs);
  const files: CaptureFile[] = [];
  const logs: LogFile[] = [];
  const fw = new FwTable();

  // 1. sniff every input (stdin can be opened once: keep what was opened)
  const opened: { path: string; input: Input | undefined }[] = [];
  for (const path of paths) {
    try {
      opened.push({ path, input: await openInput(path) });
    } catch (e) {
      issues.push({ file: path, severity: 'error', code: 'open-failed', message: e instanceof Error ? e.message : String(e), fatal: true });
      opened.push({ path, input: undefined });
    }
  }
  const isCapture = (k: string): boolean => k === 'pcap' || k === 'pcapng' || k === 'text-capture';
  // vantage index = position among the capture inputs, in command-line order
  const vantageOf = new Map<number, number>();
  opened.forEach((o, k) => {
    if (o.input && isCapture(o.input.kind)) {
      vantageOf.set(k, files.length);
      files.push({
        path: o.path, name: displayName(o.path, opts.names), kind: o.input.kind, first: 0, end: 0,
        linktypes: new Set(), nsec: false, stats: newStats(),
      });
    } else if (o.input && o.input.kind !== 'syslog') {
      const what = o.input.kind === 'gzip' ? 'gzip inside gzip; decompress it first' : 'not a pcap, pcapng, gzip, firewall syslog or text capture listing';
      issues.push({ file: o.path, offset: 0, severity: 'error', code: 'unknown-input', message: `input is ${what}`, fatal: true });
      void o.input.chunks[Symbol.asyncIterator]().return?.();
    }
  });

  // 2. binary captures
  for (let k = 0; k < opened.length; k++) {
    const o = opened[k]!;
    if (!o.input || (o.input.kind !== 'pcap' && o.input.kind !== 'pcapng')) continue;
    const v = vantageOf.get(k)!;
    await readBinary(o.path, o.input, v, files[v]!, packets, adder, addrs, issues, opts, files.length);
  }
  dropSpareReader();
  let firstCaptureTs = Infinity;
  for (let i = 0; i < packets.count; i += 4096) firstCaptureTs = Math.min(firstCaptureTs, packets.ts(i));

  // 3. firewall logs: the year of year-less stamps defaults to the captures'
  const defaultYear = Number.isFinite(firstCaptureTs) ? new Date(firstCaptureTs * 1000).getUTCFullYear() : undefined;
  for (const o of opened) {
    if (!o.input || o.input.kind !== 'syslog') continue;
    const sopts = {
      ...(opts.year !== undefined ? { year: opts.year } : {}), ...(opts.tz !== undefined ? { tz: opts.tz } : {}), ...(defaultYear !== undefined ? { defaultYear } : {}),
      ...(opts.dropPrefixes !== undefined ? { dropPrefixes: [...opts.dropPrefixes] } : {}),
    };
    logs.push(await loadLog({ path: o.path, name: displayName(o.path, opts.names), input: o.input }, logs.length, fw, addrs, issues, sopts, opts));
  }
  fw.seal();

  // 4. text listings: a listing with times of day only takes its date from --date, else the logs
  const logDate = opts.date ?? dateOf(firstStamp(fw));
  for (let k = 0; k < opened.length; k++) {
    const o = opened[k]!;
    if (!o.input || o.input.kind !== 'text-capture') continue;
    const v = vantageOf.get(k)!;
    const file = files[v]!;
    const text = await drainText(o.input, o.path, issues);
    const r = readTextCapture(text, o.path, { ...(logDate ? { date: logDate } : {}), ...(opts.tz ? { tz: opts.tz } : {}) });
    issues.push(...r.issues);
    file.first = packets.count;
    file.stats.records = r.packets.length + r.nonTcp;
    file.stats.other = r.nonTcp;
    for (const tp of r.packets) {
      const src = addrs.idOfText(tp.src), dst = addrs.idOfText(tp.dst);
      if (src === undefined || dst === undefined) continue;
      file.stats.tcp++;
      adder.add(v | KEY_IDS, src, tp.sport, dst, tp.dport, Number.isFinite(tp.ts) ? tp.ts : 0, tp.flags, Number.isFinite(tp.seq) ? tp.seq >>> 0 : 0,
        tp.ack >>> 0, tp.len, tp.win, MARK_SYNTH, tp.frame, tp.line);
    }
    file.end = packets.count;
  }
  conns.seal();
  return { files, logs, fw, packets, conns, addrs, issues, spans: adder.spans };
}

async function readBinary(path: string, input: Input, v: number, file: CaptureFile, packets: PacketTable, adder: PacketAdder,
  addrs: AddrTable, issues: InputIssue[], opts: LoadOptions, nFiles: number): Promise<void> {
  file.first = packets.count;
  if (mayExceed32Bits(path)) packets.needWideOffsets();
  const progress = (bytesRead: number, totalBytes: number | undefined): void => {
    opts.onProgress?.({ file: path, fileIndex: v, files: nFiles, bytesRead, totalBytes, packets: packets.count, conns: adder.conns.count });
  };
  const tally = newTally();
  if (useWorker(path, input, opts)) {
    await readInWorker(path, input, v, tally, adder, addrs, issues, progress, opts.yieldEveryMs);
  } else {
    // IPv4: raw addresses as the key (ids when the connection is new); IPv6: ids
    const sink = decodingSink(tally, (data, f, at) => {
      let kv = keyOf(v, at.iface), src = f.v4src | 0, dst = f.v4dst | 0;
      if (f.ipVersion !== 4) {
        kv |= KEY_IDS;
        src = addrs.v6Id(data, f.srcOff);
        dst = addrs.v6Id(data, f.dstOff);
      }
      adder.add(kv, src, f.sport, dst, f.dport, at.ts, f.flags, f.seq, f.ack, f.payloadLen, f.win, at.mark, at.frame, at.fileOffset);
    }, (i) => issues.push(i));
    await readCaptureInput(input, path === '-' ? 'stdin' : path, sink, progress);
  }
  file.stats = tally.stats;
  file.linktypes = tally.linktypes;
  file.nsec = tally.nsec;
  if (tally.nflog) file.nflog = tally.nflog;
  file.end = packets.count;
  summarize(file, tally.firstDamagedFrame, issues);
}

/** A text listing whole; a read error (a gzip cut short) is an issue, and the text before it is kept. */
async function drainText(input: Input, path: string, issues: InputIssue[]): Promise<string> {
  const parts: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const c of input.chunks) {
      parts.push(Buffer.from(c));
      bytes += c.length;
    }
  } catch (e) {
    const offset = e instanceof SourceError ? e.offset : bytes;
    issues.push({ file: path, offset, severity: 'error', code: 'read-error', message: `reading stopped: ${e instanceof Error ? e.message : String(e)}` });
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The first finite event time of the logs. */
function firstStamp(fw: FwTable): number | undefined {
  for (const c of fw.chunks) for (let r = 0; r < c.n; r++) if (Number.isFinite(c.ts[r]!)) return c.ts[r]!;
  return undefined;
}

const dateOf = (ts: number | undefined): string | undefined =>
  ts === undefined || !Number.isFinite(ts) || Math.abs(ts) >= 8.64e12 ? undefined : new Date(ts * 1000).toISOString().slice(0, 10);

/**
 * Record offsets of a plain file under 4 GiB fit 32 bits. Larger files get 64-bit offsets from
 * the start; stdin and gzip (size unknown) start with 32 bits and the packet table widens them
 * when an offset needs it (most never do: 4 bytes per packet saved).
 */
function mayExceed32Bits(path: string): boolean {
  if (path === '-') return false;
  try {
    const st = statSync(path);
    return st.isFile() && st.size >= 2 ** 32;
  } catch {
    return false; // the reader reports the error
  }
}

/** One warning per kind of skipped packet, with counts, instead of one line per packet. */
function summarize(file: CaptureFile, firstDamagedFrame: number, issues: InputIssue[]): void {
  const st = file.stats;
  const w = (code: string, message: string, frame?: number): void => {
    issues.push({ file: file.path, severity: 'warning', code, message, ...(frame ? { frame } : {}) });
  };
  if (st.damaged) w('damaged-packets', `${st.damaged} packet(s) with headers cut short or damaged were skipped (first: record ${firstDamagedFrame})`, firstDamagedFrame);
  if (st.cut) w('cut-packets', `${st.cut} TCP packet(s) had their payload cut by the snap length; their headers were read`);
  if (st.unsupportedLink) w('unsupported-link', `${st.unsupportedLink} record(s) of a link type rsttui does not decode (${[...file.linktypes].join(', ')}) were skipped`);
  for (const d of file.nflog?.damaged ?? []) {
    issues.push({ file: file.path, offset: d.offset, frame: d.frame, severity: 'warning', code: 'nflog-damaged', message: `${d.message}; packet skipped` });
  }
  if (file.nflog?.moreDamaged) w('nflog-damaged', `${file.nflog.moreDamaged} more 'nflog-damaged' issues not shown`);
  if (st.fragments) w('ip-fragments', `${st.fragments} IP fragment(s) were skipped (fragments are flagged, not reassembled)`);
}
