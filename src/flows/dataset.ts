/**
 * A loaded set of inputs: packets, connections (one per real connection, however many captures
 * saw it) renumbered by first packet, each connection's verdicts, and the firewall events attached
 * to it. Everything the CLI, the exports and the UI read goes through here.
 */
import { MARK_TLS, RST, anomalyBit, type Anomaly } from '../model.js';
import { allocConnPackets, type ConnPackets } from '../analysis/conn-packets.js';
import type { Verdict } from '../analysis/teardown.js';
import { tableVerdict } from './conn-verdict.js';
import { LOST_UNKNOWN } from '../analysis/impact.js';
import { correlateSteps, LOG_ONLY, type Correlation } from '../correlate/firewall.js';
import { finish, stepsReporting, stepsYielding } from './steps.js';
import { applyLogVerdicts, eventsByConn, linkDeniedRsts, NO_EVENTS_INDEX } from '../correlate/fw-verdicts.js';
import { VerdictThread } from '../correlate/fw-verdict-thread.js';
import { PhaseMeter, type Timings } from './phase-meter.js';
import { LogText } from './log-text.js';
import type { FwEventView } from './fw-table.js';
import { matchVantages, MARK_MISSING_ELSEWHERE } from '../correlate/vantage.js';
import { BLOCK, BY_MAIN, blocksTaken, newSharedPass, redoBlocks, takeBlocks, type RangeInput, type RangeOutput } from './analyse-range.js';
import type { AnalyseResult, BlockLines } from './analyse-worker.js';
import { AnalysisWorker, useAnalyseWorker, workerMode } from './workers.js';
import { collectGarbage, lazyBuffer, osArray } from './memory.js';
import { DropCursor, markDroppedRsts, markNflogDrops } from './nflog-verdicts.js';
import { ingestInputs, type CaptureFile, type Ingest, type LoadOptions } from './ingest.js';
import type { PacketTable } from './packet-table.js';
import { ConnRows, groupByConn } from './conn-rows.js';
import { planBlocks } from './block-rows.js';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { FlowLineEncoder } from '../export/flow-bytes.js';
import { encodeBlock, OrderedLines, shareFlows, sharedFlows, useFlowLinesWorker } from '../export/flow-share.js';
import type { ConnTable } from './conn-table.js';
import type { AddrTable } from './addr-table.js';

export interface DatasetOptions extends LoadOptions {
  /** the largest log-to-capture clock offset to look for, seconds (--skew) */
  skew?: number;
  /**
   * Given, every connection's NDJSON flow line is written to this, in order, during the verdict
   * pass, by whichever thread analysed it (flow-share.ts), when every field is final by then: one
   * capture and no logs. `flowLinesWritten` says whether it was done.
   */
  flowLines?: (bytes: Uint8Array) => void;
}

/**
 * How a live view differs from the one before it (seq - 1): rows from `from` on are new, `changed`
 * lists the older rows whose columns changed. A new `gen` means the tables were compacted (--keep):
 * `remap` takes the previous generation's indices to this one's (-1: dropped).
 */
export interface LiveChanges {
  seq: number;
  gen: number;
  from: number;
  changed: Uint32Array;
  remap?: Int32Array;
  /** the map from an earlier generation's indices to this one's (-1: dropped), while it is known */
  remapFrom?(gen: number): Int32Array | undefined;
  /** the id connection i is known by (ids stay when the tables are compacted; i + 1 before) */
  idOf(i: number): number;
  /** live on several interfaces: connection i was merged into another row (the same connection at another vantage) */
  hidden?(i: number): boolean;
}

/** What ingest read (files, logs, events, tables, issues), renumbered and analysed, and the views over it. */
export interface Dataset extends Ingest {
  /** estimated firewall-log clock minus capture clock, seconds, and the pairs it rests on */
  logOffset: { seconds: number; pairs: number };
  /** packet-table rows of connection i, every vantage, in time order */
  packetRows(i: number): Uint32Array;
  /** connection i's packets at its primary vantage, in the form the analysis takes (fresh arrays) */
  connPackets(i: number): ConnPackets;
  /** packet-table rows behind connPackets(i), index for index */
  primaryRows(i: number): Uint32Array;
  /** the full verdict of connection i (with evidence, firewall anomalies included) */
  verdict(i: number): Verdict;
  /** firewall events attached to connection i, in time order (objects made on demand) */
  firewallOf(i: number): readonly FwEventView[];
  /** the same as event-table indices (ds.fw) */
  fwEvents(i: number): Uint32Array;
  /** every connection's events as one index (fwEvents(i) = events[start[i], start[i+1])), where the dataset keeps one */
  fwIndex?: { start: Uint32Array; events: Uint32Array };
  /** the text of the firewall events, read back from the logs */
  fwText: LogText;
  /** bit v set when vantage v saw connection i */
  vantageMask(i: number): number;
  /** the vantage (file) of packet row `row`, where the files' row ranges do not tell it (live, several interfaces) */
  rowVantage?(row: number): number;
  /** the packet row a firewall event refers to (a denied RST), if the capture has it */
  eventPacket(event: FwEventView): number | undefined;
  /** every flow line went to opts.flowLines */
  flowLinesWritten: boolean;
  /** a live run's view (live-view.ts): what changed since its previous view; absent for a loaded dataset */
  live?: LiveChanges;
  /** what reading, matching (logs, vantages, renumbering) and analysing cost: for the benchmark and RSTTUI_REPORT */
  timings: Timings;
}

/** Copy the given rows of the packet table into `into`'s arrays (one connection, for a view). */
function fillPackets(packets: PacketTable, rows: Uint32Array, into: ConnPackets): ConnPackets {
  packets.gather(rows, 0, rows.length, into.ts, into.flags, into.seq, into.ack, into.len, into.win, into.mark);
  into.n = rows.length;
  return into;
}

const NO_EVENTS: readonly FwEventView[] = [];
const RST_DENIED = anomalyBit('rst-denied');

/** Load inputs, match vantages and logs, renumber connections by time, compute every verdict. */
export async function loadDataset(paths: readonly string[], opts: DatasetOptions = {}): Promise<Dataset> {
  const meter = new PhaseMeter();
  meter.mark();
  // (started now, it loads while the inputs are read)
  const helper = AnalysisWorker.early(paths, opts.worker);
  // (the spans serve the verdict pass only: not kept in the dataset)
  const { spans, ...ing } = await ingestInputs(paths, opts);
  meter.mark();
  const { packets, conns, files, fw: table } = ing;
  // (every address id is made: the lookup index is dead weight from here on, ~100 MB at 10 M log lines)
  ing.addrs.dropIndex();
  // the ingest records and lookup hashes are dead now: free them before the analysis allocates
  const large = packets.count >= 1_000_000 || table.count >= 1_000_000;
  if (large) collectGarbage();

  // firewall events <-> connections (before renumbering: log-only connections join the order)
  // (no logs: nothing to correlate)
  let corr: Correlation | undefined;
  // (the log-only verdicts' second thread, started now: it loads while the events are matched)
  const verdictThread = table.count > 0 ? VerdictThread.start(table.count, workerMode(opts.worker)) : undefined;
  if (table.count > 0) {
    const steps = correlateSteps(table, conns, ing.addrs, { ...(opts.skew !== undefined ? { skew: opts.skew } : {}), thread: workerMode(opts.worker), ...(verdictThread ? { helper: verdictThread } : {}) });
    // the matching reports how far it got; a loader that yields (the UI's) lets its keys and bar through meanwhile
    const onProgress = opts.onProgress;
    const report = onProgress && ((done: number): void =>
      onProgress({ phase: 'matching', file: '', fileIndex: 0, files: files.length, bytesRead: done, totalBytes: table.count, packets: packets.count, conns: conns.count, events: table.count }));
    try {
      corr = opts.yieldEveryMs !== undefined ? await stepsYielding(steps, opts.yieldEveryMs, report) : report ? stepsReporting(steps, 100, report) : finish(steps);
    } catch (e) {
      // (a load that fails here leaves no thread behind: the UI loads again in the same process)
      verdictThread?.stop();
      throw e;
    }
  }
  const logOffset = { seconds: corr?.offset ?? 0, pairs: corr?.offsetPairs ?? 0 };
  // (the joins' hashes are dead: ~130 MB at 10 M log lines)
  if (corr && large) collectGarbage();
  // the same connection at several vantages (with one vantage there is nothing to match: the
  // matcher does not read the last times then)
  const fileLastTs = files.map((f) => {
    let t = -Infinity;
    if (files.length >= 2) for (let r = f.first; r < f.end; r++) t = Math.max(t, packets.ts(r));
    return t;
  });
  // (the matcher needs the rows by connection only when there are two vantages or more)
  const vm = matchVantages(conns, packets, files.length >= 2 ? groupByConn(packets, conns.count) : { start: new Uint32Array(1), rows: new Uint32Array(0) }, fileLastTs);
  const map = conns.finalize(vm.mergeInto);
  packets.remapConns(map);
  meter.mark();
  const connRows = new ConnRows(packets, conns, files);

  // the rows of a connection at its own (primary) vantage: contiguous in file order
  const primaryRows = (i: number): Uint32Array => {
    const v = conns.vantage[i]!;
    return v < files.length ? connRows.rows(i, v) : connRows.rows(i);
  };

  // The bulk pass: every connection's verdicts (analyse-range.ts). Large captures share it with the
  // analysis worker: both take blocks of connections until none is left, reading the shared
  // packet columns and writing the shared output columns.
  const n = conns.count;
  const worker = useAnalyseWorker(packets.count, opts.worker) ? (helper ?? AnalysisWorker.start()) : undefined;
  if (!worker) helper?.stop();
  // (shared also where `flows` may write the lines on two threads afterwards: its worker reads
  // these columns, which would otherwise be copied into shared memory then, both held till a GC)
  const shared = worker !== undefined || useFlowLinesWorker(n, workerMode(opts.worker));
  // (the columns of connections a log alone made, most of them zeros, mapped from the OS: see lazyBuffer)
  const buffer = (bytes: number): ArrayBufferLike => (conns.lazyColumns ? lazyBuffer(bytes, shared) : shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  // Rows by connection for the pass: with one capture (nothing merged), each block of connections
  // finds its own in the rows it spans (block-rows.ts); else an index of every row, 4 bytes a
  // packet. After loading, the views and exports find one connection's rows by a scan (conn-rows.ts).
  // (a log alone: no connection has rows, which an index of empty ranges says at no cost; the
  // plan would have written 12 bytes a connection, 40 MB at 10 M log lines)
  const noRows = packets.count === 0 ? { start: new Uint32Array(n + 1), rows: new Uint32Array(0) } : undefined;
  const blocks = !noRows && files.length < 2 ? planBlocks(conns, spans, map, packets.connChunks(), packets.count, BLOCK, worker !== undefined) : undefined;
  const index = blocks ? undefined : (noRows ?? groupByConn(packets, conns.count));
  const rowsOf = (i: number): Uint32Array => (index ? index.rows.subarray(index.start[i]!, index.start[i + 1]!) : connRows.rows(i));
  conns.connState = new Uint8Array(buffer(n), 0, n);
  conns.teardown = new Uint8Array(buffer(n), 0, n);
  conns.closedBy = new Uint8Array(buffer(n), 0, n);
  conns.anomalies = new Uint32Array(buffer(4 * n), 0, n);
  conns.origBytes = new Float64Array(buffer(8 * n), 0, n);
  conns.respBytes = new Float64Array(buffer(8 * n), 0, n);
  // (log-only connections keep these: the pass does not visit them, nor anything when no capture was given)
  conns.unackedOrig = new Float64Array(buffer(8 * n), 0, n).fill(NaN);
  conns.unackedResp = new Float64Array(buffer(8 * n), 0, n).fill(NaN);
  conns.dataLost = new Uint8Array(buffer(n), 0, n).fill(LOST_UNKNOWN);
  const missing = new Uint8Array(buffer(n), 0, n);
  const input: RangeInput = {
    cols: packets.analysisColumns(), byConn: blocks ?? index!, vantage: conns.vantage, flipped: conns.flipped, reused: conns.reused,
    fileFirst: files.map((f) => f.first), fileEnd: files.map((f) => f.end),
  };
  const out: Omit<RangeOutput, 'history'> = {
    connState: conns.connState, teardown: conns.teardown, closedBy: conns.closedBy, anomalies: conns.anomalies,
    origBytes: conns.origBytes, respBytes: conns.respBytes, missing,
    unackedOrig: conns.unackedOrig, unackedResp: conns.unackedResp, dataLost: conns.dataLost,
  };
  const pass = newSharedPass(n);
  let share: Promise<AnalyseResult | undefined> | undefined;
  const historyIndex = osArray(Int32Array, worker ? n : 0, true);
  // (a history each for the pass to write)
  if (packets.count > 0) conns.historiesForAll();
  const histories = conns.histories;
  const direct: RangeOutput = { ...out, history: (i, h) => { histories[i] = h; } };
  // NFLOG captures: each prefix's verdict, and the captures where some prefix is a drop (their
  // dropped RSTs are rst-denied, added after the pass; captures of other link types have no notes)
  const nflogDrops: number[] = [];
  files.forEach((f, v) => {
    if (f.nflog && markNflogDrops(f.nflog, opts.dropPrefixes)) nflogDrops.push(v);
  });
  // (with no logs, one capture and no NFLOG drops, a line is final once its block is analysed: no
  // firewall events, no other vantage's anomalies to add)
  const more = table.count > 0 || files.length >= 2 || nflogDrops.length > 0;
  const lines = opts.flowLines && !more ? flowLinesDuringPass(opts.flowLines, conns, ing.addrs, files, worker !== undefined) : undefined;
  if (lines) direct.lines = lines.write;
  if (worker) share = worker.run({ input, pass, out, historyIndex, ...(lines?.port ? { lines: { share: lines.share, port: lines.port } } : {}) });
  const yieldMs = opts.yieldEveryMs;
  // (no packets, a log alone: nothing to analyse; the log's verdicts are set below)
  if (packets.count === 0) {
    // nothing to analyse
  } else if (yieldMs === undefined) takeBlocks(input, pass, direct, BY_MAIN);
  else {
    while (takeBlocks(input, pass, direct, BY_MAIN, performance.now() + yieldMs)) {
      opts.onProgress?.({ phase: 'analysing', file: '', fileIndex: 0, files: files.length, bytesRead: blocksTaken(pass), totalBytes: n, packets: packets.count, conns: n });
      await new Promise<void>((r) => setImmediate(r));
    }
  }
  const got = share ? await share : undefined;
  worker?.stop();
  if (got) {
    for (let i = 0; i < n; i++) {
      const h = historyIndex[i]!;
      if (h) conns.histories[i] = got.historyTable[h - 1]!;
    }
  } else if (share) redoBlocks(input, pass, direct); // the worker failed: what it did is lost
  lines?.finish();
  for (let i = 0; i < n; i++) conns.tls[i] = conns.marks[i]! & MARK_TLS ? 1 : 0;

  // firewall events per connection (deduplicated across vantages), the log's verdicts (log-only
  // connections get theirs from it; captured ones where the packets do not contradict it), and the
  // denied RSTs linked to the packets they deny
  // (the events listed while the verdict worker, if any, makes its first verdicts)
  conns.fwBytes = new Float64Array(buffer(8 * conns.count), 0, conns.count).fill(NaN);
  let byConn: { start: Uint32Array; events: Uint32Array } | undefined;
  let logOnly: Timings['logOnly'];
  const listEvents = (): void => {
    byConn = corr ? eventsByConn(table, corr, map, conns.count, shared) : undefined;
  };
  try {
    if (corr) logOnly = { rows: corr.rowsShare, verdicts: applyLogVerdicts(table, corr, map, conns, verdictThread, listEvents) };
    else listEvents();
  } finally {
    verdictThread?.stop();
  }
  const fwOf = (i: number): Uint32Array => (byConn ? byConn.events.subarray(byConn.start[i]!, byConn.start[i + 1]!) : NO_EVENTS_INDEX);
  const deniedRst = corr ? linkDeniedRsts(table, corr.offset, conns, packets, fwOf, rowsOf) : new Map<number, number>();
  // (the log's groups and joins are dead from here on: ~130 MB at 10 M log lines, freed before the output allocates)
  corr = undefined;
  if (large && table.count > 0) collectGarbage();
  // RSTs an NFLOG capture logged under a drop prefix: the firewall dropped them (one walk a capture)
  for (const v of nflogDrops) markDroppedRsts(files[v]!.nflog!, packets, files[v]!.first, files[v]!.end, conns.anomalies, RST_DENIED);
  // (with no logs and one capture there is nothing to add)
  for (let i = 0; more && i < conns.count; i++) {
    if (conns.vantage[i] === LOG_ONLY) continue;
    if (missing[i] === 2) conns.anomalies[i]! |= anomalyBit('dropped-between-vantages');
    else if (missing[i] === 0) {
      for (const r of rowsOf(i)) {
        if (packets.mark(r) & MARK_MISSING_ELSEWHERE) {
          conns.anomalies[i]! |= anomalyBit('dropped-between-vantages');
          break;
        }
      }
    }
  }

  const timeSorted = new Map<number, Uint32Array>();
  const packetRows = (i: number): Uint32Array => {
    let r = timeSorted.get(i);
    if (!r) {
      const idx = Array.from(connRows.rows(i));
      idx.sort((a, b) => packets.ts(a) - packets.ts(b) || a - b);
      r = Uint32Array.from(idx);
      if (timeSorted.size > 64) timeSorted.clear();
      timeSorted.set(i, r);
    }
    return r;
  };
  const connPackets = (i: number): ConnPackets => {
    const pr = primaryRows(i);
    const p = fillPackets(packets, pr, allocConnPackets(pr.length));
    p.flipped = conns.flipped[i] === 1;
    p.reversed = conns.flipped[i] === 2;
    return p;
  };
  const verdict = (i: number): Verdict => {
    const pr = primaryRows(i);
    const { v, extra } = tableVerdict(conns, i, connPackets(i));
    const add = (a: Anomaly, k: number): void => {
      const l = (v.evidence[a] ??= []);
      if (!l.includes(k)) l.push(k);
    };
    if (extra) {
      // (the primary rows are in file order: the NFLOG cursor walks its runs along with them)
      const notes = extra & RST_DENIED ? files[conns.vantage[i]!]?.nflog : undefined;
      const nflog = notes && nflogDrops.length > 0 ? new DropCursor(notes) : undefined;
      pr.forEach((r, k) => {
        if (packets.mark(r) & MARK_MISSING_ELSEWHERE) add('dropped-between-vantages', k);
        for (const ev of fwOf(i)) if (deniedRst.get(ev) === r) add('rst-denied', k);
        if (nflog && packets.flags(r) & RST && nflog.dropped(packets.frame(r))) add('rst-denied', k);
      });
    }
    return v;
  };
  const fwText = new LogText(table);
  const eventObject = (e: number): FwEventView => {
    const ev: FwEventView = table.event(e, ing.addrs, (x) => fwText.body(x));
    ev.index = e;
    return ev;
  };
  return {
    ...ing,
    logOffset,
    fwEvents: fwOf,
    ...(byConn ? { fwIndex: byConn } : {}),
    fwText,
    packetRows,
    primaryRows,
    connPackets,
    verdict,
    firewallOf: (i) => {
      const l = fwOf(i);
      return l.length ? Array.from(l, eventObject) : NO_EVENTS;
    },
    vantageMask: (i) => conns.vantageMask[i]!,
    eventPacket: (e) => (e.index === undefined ? undefined : deniedRst.get(e.index)),
    flowLinesWritten: lines !== undefined,
    timings: meter.timings(logOnly),
  };
}

/**
 * Flow lines written during the pass: this thread's blocks as it analyses them, the worker's
 * (given `worker`) as they come in on a port, handed on in order after each block of this
 * thread's and at the end (`finish`, which writes any block still missing itself).
 */
function flowLinesDuringPass(sink: (bytes: Uint8Array) => void, conns: ConnTable, addrs: AddrTable, files: readonly CaptureFile[], worker: boolean) {
  const n = conns.count;
  const share = shareFlows(conns, addrs, files.map((f) => f.name));
  const enc = new FlowLineEncoder(sharedFlows(share, (i) => conns.histories[i] ?? ''));
  const order = new OrderedLines(n, BLOCK, sink);
  const ch = worker ? new MessageChannel() : undefined;
  const drain = (): void => {
    if (!ch) return;
    for (let m = receiveMessageOnPort(ch.port1); m; m = receiveMessageOnPort(ch.port1)) {
      const b = m.message as BlockLines;
      order.put(b.from, b.bytes);
    }
  };
  return {
    share,
    port: ch?.port2,
    write: (from: number, to: number): void => {
      order.put(from, encodeBlock(enc, from, to));
      drain();
    },
    finish: (): void => {
      drain();
      for (let from = order.missing; from < n; from = order.missing) order.put(from, encodeBlock(enc, from, Math.min(n, from + BLOCK)));
      ch?.port1.close();
    },
  };
}
