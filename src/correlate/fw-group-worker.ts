/**
 * The grouping's worker (fw-group-thread.ts): the id side (fw-id-side.ts) over the event chunks in
 * shared memory, into the groups and registrations the main thread reads as it goes. It replies
 * with what it kept in its own memory (the repeated Builts and notes),
 * then says it is done; on an error it says it failed.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import type { FwChunk } from '../read/fw-chunk.js';
import { FwTable } from '../flows/fw-table.js';
import { finish } from '../flows/steps.js';
import { Groups, type GroupsBuffers } from './fw-groups.js';
import { P_CHUNKS, P_STATE, Regs, S_DONE, S_FAILED, idSideSteps } from './fw-id-side.js';
import { TupleFilter } from './tuple-hash.js';

export interface GroupTask {
  chunks: FwChunk[];
  notes: number[];
  /** each log's filter words */
  filters: [number, Int32Array][];
  groups: GroupsBuffers;
  regs: Int32Array;
  /** chunks passed, registrations made, state (fw-id-side.ts P_*, fw-group-thread.ts P_STATE) */
  progress: Int32Array;
  port: MessagePort;
}

export type GroupReply = { n: number; pairs: Int32Array } | { error: string };

parentPort!.once('message', (task: GroupTask) => {
  const { progress, port } = task;
  try {
    const table = new FwTable();
    for (const c of task.chunks) {
      table.chunks.push(c);
      table.count += c.n;
    }
    const groups = new Groups(0, true, task.groups);
    const filters = new Map(task.filters.map(([log, words]) => [log, new TupleFilter(0, false, words)]));
    const ids = finish(idSideSteps({ table, filters, notes: new Set(task.notes) }, groups, new Regs(0, false, task.regs), progress));
    const pairs = ids.pairs.a.slice(0, 2 * ids.pairs.n);
    // (copied, not transferred: a transfer detaches a buffer, which makes V8 check every typed-array access in the thread from then on)
    port.postMessage({ n: groups.n, pairs } satisfies GroupReply);
    Atomics.store(progress, P_STATE, S_DONE);
  } catch (e) {
    port.postMessage({ error: e instanceof Error ? e.message : String(e) } satisfies GroupReply);
    Atomics.store(progress, P_STATE, S_FAILED);
    // (the main thread may wait for a chunk)
    Atomics.notify(progress, P_CHUNKS);
  }
  Atomics.notify(progress, P_STATE);
  port.close();
});
