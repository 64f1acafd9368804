/**
 * The grouping of a log's events (fw-groups.ts) on two threads: the id side (fw-id-side.ts) in a
 * worker, over the event chunks in shared memory, and the tuple side (fw-tuple-side.ts) here, a
 * chunk behind it, each waiting on a counter of the chunks the other has passed. At 10 M log lines
 * the single pass was ~3.4 s of one core while the other was idle. Small logs, logs read on this
 * thread (their chunks are not in shared memory: the worker would need a copy), and
 * RSTTUI_WORKER=0 run both sides here, one after the other. A worker that fails or stalls leaves
 * the whole grouping to this thread, from the start.
 */
import { Worker, MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FwTable } from '../flows/fw-table.js';
import { CHUNK_ROWS } from '../read/fw-chunk.js';
import { EventPairs, Groups, denyFilters, planGrouping, type GroupingPlan, type Grouping } from './fw-groups.js';
import { P_CHUNKS, P_GROUPS, P_REGS, P_STATE, Regs, S_FAILED, idSideSteps } from './fw-id-side.js';
import { PageToucher } from '../flows/memory.js';
import { joinSides, tupleSideSteps } from './fw-tuple-side.js';
import type { TupleFilter } from './tuple-hash.js';
import type { GroupTask, GroupReply } from './fw-group-worker.js';

/** 'auto': a worker for logs of this many events and more */
const THREAD_MIN_EVENTS = 1_000_000;
/** a worker that passes no chunk for this long is taken to have failed (ms) */
const STALL_MS = 20_000;
const WORKER_URL = new URL('./fw-group-worker.js', import.meta.url);
const workerBuilt = existsSync(fileURLToPath(WORKER_URL));

export type GroupThread = 'auto' | 'always' | 'never';

class ThreadFailed extends Error {}

/** Steps whose counts are mapped by f. */
function* mapYields<T>(steps: Generator<number, T, void>, f: (x: number) => number): Generator<number, T, void> {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
    yield f(r.value);
  }
}

/**
 * The groups of the table's events, a step at a time: each step yields the events passed so far
 * (after each chunk), so that a loader that must stay responsive (the UI's: its keys and its
 * progress bar) can pause between steps (flows/steps.ts runs them). `workerUrl`: another script
 * for the worker (the tests give one that fails).
 */
export function* groupEventSteps(table: FwTable, nAddrs: number, thread: GroupThread = 'never', workerUrl?: URL): Generator<number, Grouping, void> {
  const plan = planGrouping(table);
  // (chunks not in shared memory, those read on this thread, are copied to the worker: a few at most, unless told)
  let copied = 0;
  for (const c of table.chunks) if (!(c.kind.buffer instanceof SharedArrayBuffer)) copied += c.n;
  const shareable = table.chunks.length > 0 && (thread === 'always' || copied <= 2 * CHUNK_ROWS);
  let worker: Worker | undefined;
  if ((workerUrl !== undefined || workerBuilt) && shareable && (thread === 'always' || (thread === 'auto' && table.count >= THREAD_MIN_EVENTS))) {
    try {
      // (started first: it loads while the filters are made)
      worker = new Worker(workerUrl ?? WORKER_URL, { resourceLimits: { maxYoungGenerationSizeMb: 16 } });
      // (a failure shows in the state it leaves, or as a stall: see twoThreads)
      worker.on('error', () => undefined);
    } catch {
      worker = undefined;
    }
  }
  const filters = denyFilters(table, plan, worker !== undefined);
  if (worker) {
    try {
      return yield* twoThreads(table, plan, filters, nAddrs, worker);
    } catch (e) {
      if (!(e instanceof ThreadFailed)) throw e;
    } finally {
      void worker.terminate();
    }
  }
  const conn = new Groups(plan.idRows + plan.denyRows);
  const regs = new Regs(plan.idRows);
  const half = table.count / 2;
  const ids = yield* mapYields(idSideSteps({ table, filters, notes: plan.notes }, conn, regs), (x) => Math.floor(x / 2));
  const tuples = yield* mapYields(tupleSideSteps(table, plan, filters, conn, regs, () => regs.n, nAddrs), (x) => Math.floor(half + x / 2));
  return joinSides(table, conn, ids, tuples, 1);
}

/** The id side in `worker`, the tuple side here; ThreadFailed when the worker fails or stalls. */
function* twoThreads(table: FwTable, plan: GroupingPlan, filters: Map<number, TupleFilter>, nAddrs: number, worker: Worker): Generator<number, Grouping, void> {
  const conn = new Groups(plan.idRows + plan.denyRows, true);
  const regs = new Regs(plan.idRows, true);
  const progress = new Int32Array(new SharedArrayBuffer(16));
  const ch = new MessageChannel();
  const task: GroupTask = {
    chunks: table.chunks, notes: [...plan.notes], filters: [...filters].map(([log, f]) => [log, f.words]),
    groups: conn.buffers(), regs: regs.a, progress, port: ch.port2,
  };
  worker.postMessage(task, [ch.port2]);
  const failed = (): boolean => Atomics.load(progress, P_STATE) === S_FAILED;
  // while it waits, this thread makes resident the pages of the groups and registrations the
  // worker writes next (two chunks' worth ahead): their faults were a sixth of the worker's time
  const groupPages = new PageToucher(conn.pages(), 2 * CHUNK_ROWS, conn.cap);
  const regPages = new PageToucher([{ buffer: regs.a.buffer, bytesPerItem: 8 }], 2 * CHUNK_ROWS, regs.a.length / 2);
  // the registrations made once the worker has passed chunk ci
  const reached = (ci: number): number => {
    for (;;) {
      const done = Atomics.load(progress, P_CHUNKS);
      if (done > ci) return Atomics.load(progress, P_REGS);
      if (failed()) throw new ThreadFailed();
      groupPages.ahead(Atomics.load(progress, P_GROUPS));
      regPages.ahead(Atomics.load(progress, P_REGS));
      if (Atomics.wait(progress, P_CHUNKS, done, STALL_MS) === 'timed-out' && Atomics.load(progress, P_CHUNKS) === done) throw new ThreadFailed();
    }
  };
  const tuples = yield* tupleSideSteps(table, plan, filters, conn, regs, reached, nAddrs);
  // (the worker ends with its reply, posted before it says it is done)
  let reply: GroupReply | undefined;
  for (let waited = 0; ; waited += 50) {
    const m = receiveMessageOnPort(ch.port1);
    if (m) {
      reply = m.message as GroupReply;
      break;
    }
    if (failed() || waited >= STALL_MS) throw new ThreadFailed();
    Atomics.wait(progress, P_STATE, Atomics.load(progress, P_STATE), 50);
  }
  ch.port1.close();
  if ('error' in reply) throw new ThreadFailed(reply.error);
  conn.n = reply.n;
  const pairs = new EventPairs(reply.pairs.length / 2);
  pairs.pushAll(reply.pairs);
  return joinSides(table, conn, { pairs }, tuples, 2);
}
