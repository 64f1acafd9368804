/**
 * `flows --format ndjson` written during the verdict pass: each thread writes the lines of the
 * blocks of connections it has just analysed (the analysis worker too), and the main thread
 * hands them on in order. At 10 M packets the lines took ~0.5 s on the main thread alone once
 * the pass was over; now both threads share them, as they share the verdicts.
 *
 * It applies when every field of a line is final once its block is analysed: one capture and no
 * firewall logs (else the pass is followed by the firewall's and the other vantages' anomalies).
 * What the worker reads is sent here as shared columns; the lines are FlowLineEncoder's.
 *
 * Otherwise (logs, several captures) the command writes the lines once loaded: writeFlowLines
 * below shares them with a worker of their own (flow-lines-worker.ts) on large datasets, and the
 * CSV rows (csv-bytes.ts) and the table's rows (flow-table-bytes.ts) the same way.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { ConnTable } from '../flows/conn-table.js';
import type { AddrTable } from '../flows/addr-table.js';
import type { Dataset } from '../flows/dataset.js';
import type { LogSource } from '../flows/fw-load.js';
import type { FwChunk } from '../read/fw-chunk.js';
import { grownColumn, type Column } from '../flows/memory.js';
import { datasetFlows, GrowingLines, type FlowSource, type LineEncoder } from './flow-bytes.js';
import { FirewallBytes } from './fw-bytes.js';
import { datasetCells } from './flow-cells.js';
import { LINES_BLOCK, lineEncoder, type LinesMode } from './lines-mode.js';


/** The columns a line is made of, in shared memory, and the few texts beside them (structured-cloneable). */
export interface FlowShare {
  cols: Omit<FlowSource, 'history' | 'v4Value' | 'text' | 'vantageNames' | 'firewallJson'>;
  /** per address id: its IPv4 value, or -1 (its text is in `texts`) */
  v4: Float64Array;
  texts: [number, string][];
  /** vantage names, by vantage index */
  names: string[];
  /** no packets at all (FlowSource.noPackets) */
  noPackets?: boolean;
}

/**
 * The share of a table after renumbering and before the pass. Its columns are in shared memory
 * already (the connection table allocates them there), the pass's output columns too when a
 * worker runs it.
 */
export function shareFlows(conns: ConnTable, addrs: AddrTable, names: string[]): FlowShare {
  const c = conns;
  const v4 = new Float64Array(new SharedArrayBuffer(8 * Math.max(addrs.count, 1)));
  const texts: [number, string][] = [];
  for (let id = 0; id < addrs.count; id++) {
    v4[id] = addrs.v4Value(id);
    if (v4[id]! < 0) texts.push([id, addrs.text(id)]);
  }
  return {
    cols: {
      origAddr: c.origAddr, respAddr: c.respAddr, origPort: c.origPort, respPort: c.respPort, firstTs: c.firstTs, lastTs: c.lastTs,
      origPkts: c.origPkts, respPkts: c.respPkts, origBytes: c.origBytes, respBytes: c.respBytes, connState: c.connState,
      teardown: c.teardown, closedBy: c.closedBy, anomalies: c.anomalies, vantageMask: c.vantageMask,
      unackedOrig: c.unackedOrig, unackedResp: c.unackedResp, dataLost: c.dataLost,
      splitFrom: c.splitFrom, splitTo: c.splitTo, splitWhy: c.splitWhy,
    },
    v4, texts, names,
  };
}

/** The lines' source over a share, with each connection's history from `history`. */
export function sharedFlows(s: FlowShare, history: (i: number) => string): FlowSource {
  const texts = new Map(s.texts);
  return {
    ...s.cols,
    history,
    v4Value: (id) => s.v4[id]!,
    text: (id) => texts.get(id) ?? '',
    vantageNames: (mask) => s.names.filter((_, v) => v < 32 && (mask & (1 << v)) !== 0),
    firewallJson: () => '[]',
    ...(s.noPackets ? { noPackets: true } : {}),
  };
}

/**
 * The lines of connections [from, to), as one buffer of bytes (~330 a line on the benchmark), in
 * `into` if given (a buffer used before; replaced by a larger one where they do not fit).
 */
export function encodeBlock(enc: LineEncoder, from: number, to: number, into?: Uint8Array): Uint8Array {
  const out = new GrowingLines(Math.max(to - from, 1) * 400, into);
  enc.prepare(from, to);
  for (let i = from; i < to; i++) enc.write(out, i);
  return out.buffer.subarray(0, out.end);
}

/** Hands blocks of lines on in connection order, whichever thread wrote them and whenever. */
export class OrderedLines {
  /** the first connection whose line is not handed on yet */
  private next = 0;
  private readonly pending = new Map<number, Uint8Array>();

  constructor(private readonly n: number, private readonly block: number, private readonly sink: (bytes: Uint8Array) => void) {}

  /** The lines of the block starting at connection `from` (again: ignored, false). */
  put(from: number, bytes: Uint8Array): boolean {
    if (from < this.next || this.pending.has(from)) return false;
    this.pending.set(from, bytes);
    for (let b = this.pending.get(this.next); b !== undefined; b = this.pending.get(this.next)) {
      this.pending.delete(this.next);
      this.sink(b);
      this.next += this.block;
    }
    return true;
  }

  /** The first connection whose block is still missing (n: none). */
  get missing(): number {
    return Math.min(this.next, this.n);
  }

  /** Blocks held, waiting for an earlier one. */
  get waiting(): number {
    return this.pending.size;
  }
}

// ---- the lines of a loaded dataset, on two threads (`flows --format ndjson` with logs) ----

/** The worker keeps at most LEAD blocks (LINES_BLOCK connections each) past the last one handed on. */
const LEAD = 8;
/** Rows from which a worker pays (its start takes ~0.1 s; the lines of 100 k rows ~0.5 s on one thread). */
const LINES_WORKER_MIN_ROWS = 100_000;
/** words of `ctl`: next block to take, blocks handed on, blocks the worker posted */
export const C_NEXT = 0;
export const C_DONE = 1;
export const C_POSTED = 2;

const LINES_URL = new URL('./flow-lines-worker.js', import.meta.url);
// (run from the TypeScript sources there is no compiled worker)
const linesWorkerBuilt = existsSync(fileURLToPath(LINES_URL));

/** An event chunk's columns the lines read (the rest stays behind), in shared memory. */
export type FwChunkShare = Pick<FwChunk, 'log' | 'range' | 'seq' | 'n' | 'ts' | 'msgid' | 'vendor' | 'lineOff' | 'offBase' | 'bodyAt' | 'str' | 'text' | 'bits' | 'line'
  | 'cid' | 'nbytes' | 'duration' | 'addr' | 'port'>;

/** Everything the flow-lines worker needs, structured-cloneable, columns in shared memory. */
export interface FlowLinesTask extends LinesMode {
  share: FlowShare;
  n: number;
  block: number;
  lead: number;
  /** Int32Array over shared memory: C_* */
  ctl: Int32Array;
  /** the distinct histories, and each connection's index into them (empty: every one '') */
  histories: string[];
  historyIndex: Int32Array;
  fwBytes: Float64Array;
  /** the firewall events (absent: none), each connection's from `start[i]` to `start[i + 1]` in `events` */
  fw?: { chunks: FwChunkShare[]; strings: string[]; sources: LogSource[]; logNames: string[]; start: Uint32Array; events: Uint32Array };
  port: MessagePort;
}

/** A block's lines, as the worker posts them. */
export interface LinesMessage {
  from: number;
  bytes: Uint8Array;
}

/** Whether the lines of `rows` connections are worth a worker, in a worker mode (workers.ts workerMode). */
export function useFlowLinesWorker(rows: number, mode: 'auto' | 'always' | 'never'): boolean {
  return linesWorkerBuilt && rows > 0 && (mode === 'always' || (mode === 'auto' && rows >= LINES_WORKER_MIN_ROWS));
}

/** `a` itself when it is in shared memory, else a copy there. */
function inShared<T extends Column>(a: T): T {
  return a.buffer instanceof SharedArrayBuffer ? a : grownColumn(a, a.length);
}

const CONN_COLUMNS = ['origAddr', 'respAddr', 'origPort', 'respPort', 'firstTs', 'lastTs', 'origPkts', 'respPkts', 'origBytes', 'respBytes',
  'connState', 'teardown', 'closedBy', 'anomalies', 'vantageMask', 'fwBytes', 'unackedOrig', 'unackedResp', 'dataLost',
  'splitFrom', 'splitTo', 'splitWhy'] as const;
// (the last five: the bodies written from their columns, fw-render.ts)
const CHUNK_COLUMNS = ['ts', 'msgid', 'vendor', 'lineOff', 'bodyAt', 'str', 'bits', 'line', 'cid', 'nbytes', 'duration', 'addr', 'port'] as const;

/**
 * The worker's task. The columns the lines read are moved into shared memory where they are not
 * there already (same contents; the dataset keeps the shared ones, so nothing is held twice): a
 * log-only load's verdict columns, the firewall's bytes, and the event chunks of a log parsed on
 * this thread (small, gzip, stdin). A large plain log's chunks are shared as parsed.
 */
function linesTask(ds: Dataset, block: number, ctl: Int32Array, port: MessagePort): FlowLinesTask {
  const c = ds.conns, n = c.count;
  const cols = c as unknown as Record<(typeof CONN_COLUMNS)[number], Column>;
  for (const k of CONN_COLUMNS) cols[k] = inShared(cols[k]);
  const histories = [''];
  const ids = new Map<string, number>([['', 0]]);
  // (none at all from a log alone: then no index either)
  let historyIndex: Int32Array = new Int32Array(0);
  for (let i = 0; i < n; i++) {
    const h = c.histories[i];
    if (!h) continue;
    let id = ids.get(h);
    if (id === undefined) {
      ids.set(h, (id = histories.length));
      histories.push(h);
    }
    if (historyIndex.length === 0) historyIndex = new Int32Array(new SharedArrayBuffer(4 * n));
    historyIndex[i] = id;
  }
  const share = shareFlows(c, ds.addrs, ds.files.map((f) => f.name));
  share.noPackets = ds.packets.count === 0;
  const task: FlowLinesTask = { share, n, block, lead: LEAD, ctl, histories, historyIndex, fwBytes: c.fwBytes, port };
  if (ds.fw.count === 0) return task;
  const chunks = ds.fw.chunks.map((ch): FwChunkShare => {
    const cc = ch as unknown as Record<(typeof CHUNK_COLUMNS)[number], Column>;
    for (const k of CHUNK_COLUMNS) cc[k] = inShared(cc[k]);
    if (ch.text) ch.text = inShared(ch.text);
    const { log, range, seq, n: rows, ts, msgid, vendor, lineOff, offBase, bodyAt, str, bits, line, cid, nbytes, duration, addr, port, text } = ch;
    return { log, range, seq, n: rows, ts, msgid, vendor, lineOff, offBase, bodyAt, str, bits, line, cid, nbytes, duration, addr, port, ...(text ? { text } : {}) };
  });
  task.fw = { chunks, strings: ds.fw.strings, sources: ds.fw.sources, logNames: ds.fw.logNames, ...sharedEvents(ds, n) };
  return task;
}

/** Each connection's event indices, from `start[i]` to `start[i + 1]` in `events`, in shared memory. */
function sharedEvents(ds: Dataset, n: number): { start: Uint32Array; events: Uint32Array } {
  // (the batch dataset's index, made in shared memory when this worker was to be used: as it is)
  const ix = ds.fwIndex;
  if (ix && ix.start.length === n + 1 && ix.start.buffer instanceof SharedArrayBuffer && ix.events.buffer instanceof SharedArrayBuffer) return ix;
  const start = new Uint32Array(new SharedArrayBuffer(4 * (n + 1)));
  // (the dataset's lists are views into one array, one after the other: that array, copied once)
  let whole: ArrayBufferLike | undefined;
  let end = 0, one = true;
  for (let i = 0; i < n && one; i++) {
    const v = ds.fwEvents(i);
    if (v.length) {
      whole ??= v.buffer;
      one = v.buffer === whole && v.byteOffset === 4 * end;
      end += v.length;
    }
    start[i + 1] = end;
  }
  if (one) return { start, events: inShared(new Uint32Array(whole ?? new ArrayBuffer(4), 0, Math.max(end, 1))) };
  // (else gathered)
  for (let i = 0; i < n; i++) start[i + 1] = start[i]! + ds.fwEvents(i).length;
  const events = new Uint32Array(new SharedArrayBuffer(4 * Math.max(start[n]!, 1)));
  for (let i = 0; i < n; i++) if (start[i + 1]! > start[i]!) events.set(ds.fwEvents(i), start[i]!);
  return { start, events };
}

// (ES2024's Atomics.waitAsync, which the ES2023 library does not declare; Node has it)
const waitAsync = (a: Int32Array, index: number, value: number, timeout: number): { async: boolean; value: Promise<string> | string } =>
  (Atomics as unknown as { waitAsync: typeof waitAsync }).waitAsync(a, index, value, timeout);

/** How long the main thread waits for the worker's last blocks before it writes one itself. */
const STALL_MS = 2000;

export interface FlowLinesOptions extends LinesMode {
  /** 'always': a worker whatever the rows; 'never': this thread alone (default 'auto', useFlowLinesWorker) */
  worker?: 'auto' | 'always' | 'never';
  /** connections a block (LINES_BLOCK) */
  block?: number;
  /** (tests) false: this thread leaves the blocks to the worker, writing only those it would wait for in vain */
  mainTakes?: boolean;
  /** (tests) another worker script, one that fails */
  workerFile?: URL;
  /**
   * A promise while the sink is full (a pipe to a slower reader), resolved once it has room: no
   * block is written meanwhile (the worker stops LEAD blocks ahead). Without it a 10 M-line log
   * piped to `sha256sum` queued its whole output, 2.7 GB, in the stream.
   */
  ready?: () => Promise<unknown> | undefined;
}

/**
 * Every connection's flow line to `sink`, in order, in blocks (the sink returns true when it is
 * done with the bytes: their buffer is used again). With a worker, both threads take
 * blocks from a shared counter, whoever is free the next one, and encode them (FlowLineEncoder,
 * the same bytes either way); this thread hands them on in order, taking in the worker's between
 * its own. Neither runs far ahead of the output: the worker waits when LEAD blocks past the last
 * handed on are taken, this thread writes the block it is waiting for itself when LEAD of its own
 * wait for it (a stalled worker). A worker that fails (or cannot start) leaves its blocks to this
 * thread. Resolves with the number of blocks the worker's lines were used for.
 */
export async function writeFlowLines(ds: Dataset, sink: (bytes: Uint8Array) => boolean, opts: FlowLinesOptions = {}): Promise<number> {
  const n = ds.conns.count, block = Math.max(1, opts.block ?? LINES_BLOCK), blocks = Math.ceil(n / block);
  const ctl = new Int32Array(new SharedArrayBuffer(12));
  let worker: Worker | undefined;
  /** each connection's events in one shared array, made for the worker: this thread's blocks read them there too */
  let byConn: { start: Uint32Array; events: Uint32Array } | undefined;
  let dead = false;
  let exited: Promise<void> = new Promise(() => undefined);
  const ch = new MessageChannel();
  if (useFlowLinesWorker(n, opts.worker ?? 'auto')) {
    try {
      const w = (worker = new Worker(opts.workerFile ?? LINES_URL, { resourceLimits: { maxYoungGenerationSizeMb: 4 } }));
      exited = new Promise((resolve) => {
        const end = (): void => { dead = true; resolve(); };
        w.once('error', end);
        w.once('exit', end);
      });
      // (started first: it loads while the task is made)
      const task = linesTask(ds, block, ctl, ch.port2);
      if (opts.csv) task.csv = true;
      if (opts.tableWidths) task.tableWidths = opts.tableWidths;
      byConn = task.fw;
      w.postMessage(task, [ch.port2]);
    } catch {
      void worker?.terminate();
      worker = undefined;
    }
  }
  // (this thread reads its blocks' event lists where the worker reads them)
  const flows = datasetFlows(ds);
  const shared = byConn && flows.firewallBytes ? new FirewallBytes({ fw: ds.fw, fwText: ds.fwText, fwEvents: (i) => ds.fwEvents(i), byConn, addrs: ds.addrs }) : undefined;
  const enc = lineEncoder(opts, shared ? { ...flows, firewallBytes: shared } : flows, () => datasetCells(ds));
  // Block buffers are used again once the sink is done with them (fresh ones for every block cost
  // page faults and garbage collections): this thread's kept here, the worker's sent back to it.
  const spare: Uint8Array[] = [];
  const workers = new WeakSet<ArrayBufferLike>();
  const recycle = (b: Uint8Array): void => {
    const buf = b.buffer as ArrayBuffer;
    if (!workers.has(buf)) {
      if (spare.length < LEAD) spare.push(new Uint8Array(buf));
    } else if (!dead) ch.port1.postMessage(buf, [buf]);
  };
  const order = new OrderedLines(n, block, (b) => {
    if (sink(b)) recycle(b);
  });
  let byWorker = 0;
  const handedOn = (): void => {
    const done = Math.floor(order.missing / block);
    if (done === Atomics.load(ctl, C_DONE)) return;
    Atomics.store(ctl, C_DONE, done);
    Atomics.notify(ctl, C_DONE);
  };
  const drain = (): void => {
    for (let m = receiveMessageOnPort(ch.port1); m; m = receiveMessageOnPort(ch.port1)) {
      const b = m.message as LinesMessage;
      workers.add(b.bytes.buffer);
      if (order.put(b.from, b.bytes)) byWorker++;
      else recycle(b.bytes);
    }
    handedOn();
  };
  const own = (from: number): void => {
    order.put(from, encodeBlock(enc, from, Math.min(n, from + block), spare.pop()));
    handedOn();
  };
  while (!worker || opts.mainTakes !== false) {
    const full = opts.ready?.();
    if (full) await full;
    drain();
    // (the worker is late with the block the output waits for: written here, its copy ignored)
    if (order.waiting >= LEAD) own(order.missing);
    else {
      const b = Atomics.add(ctl, C_NEXT, 1);
      if (b >= blocks) break;
      own(b * block);
    }
  }
  // the worker's last blocks
  while (order.missing < n) {
    const full = opts.ready?.();
    if (full) await full;
    const seen = Atomics.load(ctl, C_POSTED);
    drain();
    if (order.missing >= n) break;
    if (dead || !worker) {
      own(order.missing);
      continue;
    }
    const w = waitAsync(ctl, C_POSTED, seen, STALL_MS);
    const got = w.async ? await Promise.race([w.value as Promise<string>, exited]) : w.value;
    if (got === 'timed-out' && Atomics.load(ctl, C_NEXT) >= blocks) own(order.missing);
  }
  ch.port1.close();
  // (it ends by itself once it sees no block left; it must not keep the process alive meanwhile)
  worker?.unref();
  return byWorker;
}
