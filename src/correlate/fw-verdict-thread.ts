/**
 * The log-only connections' rows (firewall.ts addLogOnly) and verdicts (fw-verdicts.ts
 * applyLogVerdicts) on two threads: a worker (fw-verdict-worker.ts) takes blocks of groups from a
 * shared counter alongside the main thread, reading the event chunks, the groups (and the
 * renumbering) in shared memory and writing the shared connection columns. Each row and each
 * verdict reads its Teardown's line, far from the lines before it in the file (a long
 * connection's): at 10 M log lines, ~0.7 s and ~0.9 s of one core while the other was idle.
 *
 * The worker is started with the matching (start), so that it has loaded by the time the verdicts
 * come. A block it took and did not finish (it failed, or stalled STALL_MS) is done again here: a
 * block's writes are the same whoever makes them, and twice the same.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FwTable } from '../flows/fw-table.js';
import type { ConnTable } from '../flows/conn-table.js';
import type { FwChunk } from '../read/fw-chunk.js';
import type { Groups, GroupsBuffers } from './fw-groups.js';
import { ROW_COLUMNS, VERDICT_COLUMNS, type RowColumns, type VerdictColumns } from './fw-group-verdict.js';

/** 'auto': a worker for logs of this many events and more */
const THREAD_MIN_EVENTS = 1_000_000;
/** a worker that finishes no block for this long is taken to have failed (ms) */
const STALL_MS = 5_000;
const WORKER_URL = new URL('./fw-verdict-worker.js', import.meta.url);
const workerBuilt = existsSync(fileURLToPath(WORKER_URL));

/** `ctl` words: the next block to take, blocks the worker finished, its state */
export const V_NEXT = 0;
export const V_DONE = 1;
export const V_STATE = 2;
export const VS_FAILED = 1;
/** `owner` per block: finished by the worker */
export const B_DONE = 1;

/** What the blocks are: the rows of the log-only connections (before renumbering) or their verdicts (after). */
export type BlockJob = { table: FwTable; groups: Groups; groupConn: Int32Array; base: number } & (
  | { kind: 'rows'; offset: number; cols: RowColumns }
  | { kind: 'verdicts'; map: Uint32Array; cols: VerdictColumns });

export interface VerdictTask {
  kind: BlockJob['kind'];
  chunks: FwChunk[];
  strings: string[];
  groups: GroupsBuffers;
  n: number;
  order?: Int32Array;
  groupConn: Int32Array;
  base: number;
  /** rows: the log's clock offset; verdicts: the renumbering */
  offset: number;
  map?: Uint32Array;
  cols: RowColumns | VerdictColumns;
  blocks: number;
  block: number;
  ctl: Int32Array;
  owner: Uint8Array;
}

/**
 * One run: the blocks this thread takes (take: -1 when none is left), then those left to it
 * (finish: the worker's unfinished ones); the blocks the worker finished so far.
 */
export interface VerdictRun {
  take(): number;
  finish(): number[];
  workerBlocks(): number;
}

/** How a run's blocks were shared: blocks, those the worker finished, those it left to this thread. */
export interface VerdictShare {
  blocks: number;
  byWorker: number;
  redone: number;
}

/**
 * Groups [0, n) in blocks of `block`, each block given to `each(from, to)`: by this thread and, when
 * it can take the job (VerdictThread.run), `thread`'s worker, from a shared counter; else by this
 * thread, in one call. `meanwhile` runs once the worker has its task, before this thread's first block.
 */
export function inBlocks(thread: Pick<VerdictThread, 'run'> | undefined, job: BlockJob, n: number, block: number,
  each: (from: number, to: number) => void, meanwhile?: () => void): VerdictShare {
  const blocks = Math.ceil(n / block);
  const run = thread?.run(job, blocks, block);
  meanwhile?.();
  if (!run) {
    each(0, n);
    return { blocks, byWorker: 0, redone: 0 };
  }
  const one = (b: number): void => each(b * block, Math.min(n, (b + 1) * block));
  for (let b = run.take(); b >= 0; b = run.take()) one(b);
  // (blocks the worker took and did not finish, when it failed: done here)
  const left = run.finish();
  for (const b of left) one(b);
  return { blocks, byWorker: run.workerBlocks(), redone: left.length };
}

/** The columns `keys` of the connection table: the rest of it is not the worker's (nor cloneable). */
function pick<K extends keyof ConnTable>(conns: Pick<ConnTable, K>, keys: readonly K[]): Pick<ConnTable, K> {
  const out = {} as Pick<ConnTable, K>;
  for (const k of keys) out[k] = conns[k];
  return out;
}

const isShared = (a: ArrayBufferView): boolean => a.buffer instanceof SharedArrayBuffer;

export class VerdictThread {
  /** the last run's control words (stop marks it failed) */
  private ctl: Int32Array | undefined;
  private constructor(private readonly worker: Worker) {}

  /** Start one when the log is large enough (`events`) and threads are allowed. */
  static start(events: number, thread: 'auto' | 'always' | 'never'): VerdictThread | undefined {
    if (!workerBuilt || thread === 'never' || (thread === 'auto' && events < THREAD_MIN_EVENTS)) return undefined;
    try {
      const w = new Worker(WORKER_URL, { resourceLimits: { maxYoungGenerationSizeMb: 16 } });
      // (a failure shows in the state it leaves, or as a stall: see finish)
      w.on('error', () => undefined);
      // (it must not keep the process alive while it waits for its task)
      w.unref();
      return new VerdictThread(w);
    } catch {
      return undefined;
    }
  }

  /**
   * Hand the worker `job`'s `blocks` blocks of `block` groups to share, or undefined when what it
   * would read is not all in shared memory (a log read on this thread, a grouping made on it):
   * then this thread does them all. One run at a time: the last one is finished (finish) first.
   */
  run(job: BlockJob, blocks: number, block: number): VerdictRun | undefined {
    const { table, groups } = job;
    const cols = job.kind === 'rows' ? pick(job.cols, ROW_COLUMNS) : pick(job.cols, VERDICT_COLUMNS);
    const views: ArrayBufferView[] = [job.groupConn, groups.kind, groups.born, ...Object.values<ArrayBufferView>(cols)];
    if (job.kind === 'verdicts') views.push(job.map);
    if (groups.order) views.push(groups.order);
    if (blocks < 2 || !views.every(isShared) || !table.chunks.every((c) => isShared(c.kind))) return undefined;
    const ctl = new Int32Array(new SharedArrayBuffer(16));
    const owner = new Uint8Array(new SharedArrayBuffer(blocks));
    const task: VerdictTask = {
      kind: job.kind, chunks: table.chunks, strings: table.strings, groups: groups.buffers(), n: groups.n, ...(groups.order ? { order: groups.order } : {}),
      groupConn: job.groupConn, base: job.base, offset: job.kind === 'rows' ? job.offset : 0, ...(job.kind === 'verdicts' ? { map: job.map } : {}),
      cols, blocks, block, ctl, owner,
    };
    // (not ref'd: this thread waits for it in finish, synchronously, so the event loop never has
    // to; an idle worker must not keep the process alive)
    try {
      this.worker.postMessage(task);
    } catch {
      return undefined;
    }
    this.ctl = ctl;
    const taken = new Uint8Array(blocks);
    return {
      take: () => {
        const b = Atomics.add(ctl, V_NEXT, 1);
        if (b >= blocks) return -1;
        taken[b] = 1;
        return b;
      },
      finish: () => {
        // the worker took every block this thread did not (the counter passed them all)
        let theirs = blocks;
        for (let b = 0; b < blocks; b++) theirs -= taken[b]!;
        for (let done = Atomics.load(ctl, V_DONE); done < theirs && Atomics.load(ctl, V_STATE) !== VS_FAILED; done = Atomics.load(ctl, V_DONE)) {
          if (Atomics.wait(ctl, V_DONE, done, STALL_MS) === 'timed-out' && Atomics.load(ctl, V_DONE) === done) break;
        }
        // (a block the worker took and did not finish, or took from the counter and died before it said so)
        const left: number[] = [];
        for (let b = 0; b < blocks; b++) if (!taken[b] && Atomics.load(owner, b) !== B_DONE) left.push(b);
        return left;
      },
      workerBlocks: () => Atomics.load(ctl, V_DONE),
    };
  }

  /** End the worker; a run under way leaves what it has not finished to this thread (finish). */
  stop(): void {
    if (this.ctl) {
      Atomics.store(this.ctl, V_STATE, VS_FAILED);
      Atomics.notify(this.ctl, V_DONE);
    }
    void this.worker.terminate();
  }
}
