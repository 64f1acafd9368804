/**
 * The main-thread side of the workers, which put the second core to work on large captures:
 * - the reader (ingest-worker.ts) reads and decodes a capture file while this thread adds the
 *   packets of each batch it hands over to the tables, as the main-thread reading would have;
 * - the analyser (analyse-worker.ts) computes the verdicts of a share of the connections while
 *   this thread does the rest.
 * Both are used only where they pay (large inputs) and only from the compiled build.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { sniffKind } from '../read/detect.js';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InputIssue } from '../model.js';
import type { Input } from '../read/source.js';
import type { AddrTable } from './addr-table.js';
import { FREE, MISC_V6, PacketBatch, RING, type WorkerMessage, type WorkerTask } from './batch.js';
import { KEY_IDS, keyOf } from './conn-table.js';
import type { DecodeTally } from './decode-sink.js';
import { CHUNK_ROWS } from './packet-table.js';
import type { LoadOptions } from './ingest.js';
import type { PacketAdder } from './packet-adder.js';
import type { AnalyseResult, AnalyseTask } from './analyse-worker.js';

/** Files this large are read by a worker (smaller ones finish before a worker has started). */
const WORKER_MIN_BYTES = 32 << 20;

/**
 * The size of a file that may be a capture (it starts as a pcap, a pcapng or a gzip file does),
 * 0 for any other (a log, a text capture: neither goes to the reader or the analysis worker) or
 * one that cannot be read (the reader reports it). The workers started ahead of a large load are
 * for captures: at 10 M log lines, two idle isolates took ~0.2 s of CPU from the log's readers.
 */
function captureSize(path: string): number {
  let fd: number | undefined;
  try {
    // (a regular file only: opening a FIFO, `<(zcat x.pcap.gz)` say, waits for its writer, and
    // reading its first bytes here would take them from the reader)
    const st = statSync(path);
    if (!st.isFile()) return 0;
    fd = openSync(path, 'r');
    const size = st.size;
    const head = new Uint8Array(4);
    if (readSync(fd, head, 0, 4, 0) < 2) return 0;
    const kind = sniffKind(head);
    return kind === 'pcap' || kind === 'pcapng' || kind === 'gzip' ? size : 0;
  } catch {
    return 0;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const WORKER_URL = new URL('./ingest-worker.js', import.meta.url);
const ANALYSE_URL = new URL('./analyse-worker.js', import.meta.url);
// a small young generation: the workers' garbage is short-lived, and their heaps count in the peak
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4 };
// (run from the TypeScript sources, as under tsx, there is no compiled worker to start)
const workerBuilt = existsSync(fileURLToPath(WORKER_URL)) && existsSync(fileURLToPath(ANALYSE_URL));

/** The load option, else RSTTUI_WORKER (0: never, 1: always), else 'auto'; 'never' without a compiled worker. */
export function workerMode(option: LoadOptions['worker']): 'auto' | 'always' | 'never' {
  const env = process.env.RSTTUI_WORKER;
  const mode = option ?? (env === '0' ? 'never' : env === '1' ? 'always' : 'auto');
  return workerBuilt ? mode : 'never';
}

/** Whether to read this input in the reader worker (never stdin: it can be read once, here). */
export function useWorker(path: string, input: Input, opts: LoadOptions): boolean {
  const mode = workerMode(opts.worker);
  if (path === '-' || !input.source.size || mode === 'never') return false;
  return mode === 'always' || input.source.size >= WORKER_MIN_BYTES;
}

/**
 * A reader worker started before it is needed (prewarmReader): starting one takes ~0.1 s, its
 * imports mostly, which then overlap the CLI's own instead of keeping this thread waiting for
 * the first batch. It waits for its task (a message) and does not keep the process alive.
 */
let spare: Worker | undefined;

const newReader = (): Worker => new Worker(WORKER_URL, { resourceLimits: WORKER_LIMITS });

/**
 * Start a reader worker now if one of these inputs is a plain file that will be read in one (a
 * headless command calls this as soon as it has its arguments). An input that turns out not to be
 * a capture leaves it unused: dropSpareReader ends it.
 */
export function prewarmReader(paths: readonly string[], worker?: LoadOptions['worker']): void {
  const mode = workerMode(worker);
  if (spare || mode === 'never') return;
  for (const p of paths) {
    if (p === '-') continue;
    const size = captureSize(p);
    if (!(mode === 'always' ? size > 0 : size >= WORKER_MIN_BYTES)) continue;
    try {
      const w = newReader();
      w.unref();
      // (an error before it is taken: nothing to report, readInWorker starts another)
      w.once('error', () => { if (spare === w) spare = undefined; });
      spare = w;
    } catch {
      // readInWorker starts one, or reads here
    }
    return;
  }
}

/** The prewarmed reader no input has taken yet (tests). */
export const spareReader = (): Worker | undefined => spare;

/** End the prewarmed reader if no input took it. */
export function dropSpareReader(): void {
  void spare?.terminate();
  spare = undefined;
}

/** Read and decode in a worker (batch.ts), adding its packets here as each batch arrives. */
export async function readInWorker(path: string, input: Input, v: number, tally: DecodeTally, adder: PacketAdder, addrs: AddrTable,
  issues: InputIssue[], progress: (bytesRead: number, totalBytes: number | undefined) => void, yieldMs: number | undefined): Promise<void> {
  // the worker opens the file itself: close what was opened here to sniff it
  await input.chunks[Symbol.asyncIterator]().return?.();
  const batches = Array.from({ length: RING }, () => new PacketBatch());
  const state = new Int32Array(new SharedArrayBuffer(4 * RING));
  const packets = adder.packets;
  const part = packets.count % CHUNK_ROWS !== 0;
  const task: WorkerTask = {
    path, file: path, batches: batches.map((b) => b.buffer), state: state.buffer as SharedArrayBuffer,
    startRow: packets.count, chunk: part ? packets.analysisChunk(Math.floor(packets.count / CHUNK_ROWS)) : undefined,
  };
  const worker = spare ?? newReader();
  spare = undefined;
  worker.ref();
  worker.postMessage(task);
  const queue: WorkerMessage[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  worker.on('message', (m: WorkerMessage) => {
    queue.push(m);
    wake?.();
  });
  worker.on('error', (e) => {
    issues.push({ file: path, severity: 'error', code: 'read-failed', message: `reading stopped: ${e instanceof Error ? e.message : String(e)}` });
    ended = true;
    wake?.();
  });
  worker.on('exit', () => {
    ended = true;
    wake?.();
  });
  // Messages are handled here, in order, rather than in the listener: Node hands a run of queued
  // messages over in one go, and the UI must get a turn between batches (yieldEveryMs).
  let lastYield = performance.now();
  for (;;) {
    const m = queue.shift();
    if (m === undefined) {
      if (ended) break;
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
      continue;
    }
    if (m.t === 'batch') {
      for (const c of m.chunks) packets.adoptChunk(c);
      addBatch(batches[m.k]!, m.n, v, adder, addrs);
      Atomics.store(state, m.k, FREE);
      Atomics.notify(state, m.k);
      progress(m.bytesRead, m.totalBytes);
      if (yieldMs !== undefined && performance.now() - lastYield > yieldMs) {
        await new Promise<void>((r) => setImmediate(r));
        lastYield = performance.now();
      }
    } else if (m.t === 'issue') issues.push(m.issue);
    else {
      Object.assign(tally.stats, m.tally.stats);
      for (const l of m.tally.linktypes) tally.linktypes.add(l);
      tally.nsec = m.tally.nsec;
      tally.firstDamagedFrame = m.tally.firstDamagedFrame;
      if (m.tally.nflog) tally.nflog = m.tally.nflog;
      break;
    }
  }
  void worker.terminate();
}

/** Add the n packets of a batch to the tables, as the main-thread sink would have (the worker wrote their analysis columns). */
function addBatch(b: PacketBatch, n: number, v: number, adder: PacketAdder, addrs: AddrTable): void {
  const { ts, offset, src, dst, ports, seq, frame, misc, plen } = b;
  for (let i = 0; i < n; i++) {
    const m = misc[i]!;
    let kv = keyOf(v, (m >>> 16) & 0x3fff), s = src[i]!, d = dst[i]!;
    if (m & MISC_V6) {
      kv |= KEY_IDS;
      s = addrs.v6Id(b.v6, i * 32);
      d = addrs.v6Id(b.v6, i * 32 + 16);
    }
    const p = ports[i]!;
    adder.addRead(kv, s, p >>> 16, d, p & 0xffff, ts[i]!, m & 0xff, seq[i]!, plen[i]!, (m >>> 8) & 0xff, frame[i]!, offset[i]!);
  }
}

/** Captures with fewer packets are analysed here alone (a worker takes ~0.1 s to start). */
const ANALYSE_WORKER_MIN_PACKETS = 400_000;

export function useAnalyseWorker(packets: number, worker: LoadOptions['worker']): boolean {
  const mode = workerMode(worker);
  return mode === 'always' || (mode === 'auto' && packets >= ANALYSE_WORKER_MIN_PACKETS);
}

/**
 * The analysis worker, started before reading when the inputs are large enough that the verdict
 * pass will want it (it takes ~0.1 s to load, which then overlaps the reading).
 */
export class AnalysisWorker {
  private worker: Worker | undefined;
  private readonly result: Promise<AnalyseResult | undefined>;

  private constructor() {
    this.result = new Promise((resolve) => {
      try {
        this.worker = new Worker(ANALYSE_URL, { resourceLimits: WORKER_LIMITS });
      } catch {
        resolve(undefined);
        return;
      }
      this.worker.once('message', (r: AnalyseResult) => resolve(r));
      this.worker.once('error', () => resolve(undefined));
      this.worker.once('exit', () => resolve(undefined));
      // (it must not keep the process alive while it waits for its task)
      this.worker.unref();
    });
  }

  /** Start one now if the inputs (plain files) add up to the reader worker's size, else undefined. */
  static early(paths: readonly string[], worker: LoadOptions['worker']): AnalysisWorker | undefined {
    const mode = workerMode(worker);
    if (mode === 'never') return undefined;
    let bytes = 0;
    for (const p of paths) if (p !== '-') bytes += captureSize(p);
    return mode === 'always' || bytes >= WORKER_MIN_BYTES ? new AnalysisWorker() : undefined;
  }

  static start(): AnalysisWorker {
    return new AnalysisWorker();
  }

  /** Hand it the pass; resolves with its histories when it has taken its last block, or undefined if it failed. */
  run(task: AnalyseTask): Promise<AnalyseResult | undefined> {
    if (this.worker) {
      this.worker.ref();
      this.worker.postMessage(task, task.lines ? [task.lines.port] : []);
    }
    return this.result;
  }

  stop(): void {
    void this.worker?.terminate();
  }
}
