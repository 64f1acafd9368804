/**
 * The log-only connections' worker (fw-verdict-thread.ts): their rows, then their verdicts, of
 * the blocks of groups it takes from each run's shared counter, over the event chunks, groups and
 * connection columns in shared memory. It marks each block it finishes; on an error it says it failed.
 */
import { parentPort } from 'node:worker_threads';
import { FwTable } from '../flows/fw-table.js';
import { Groups } from './fw-groups.js';
import { GroupVerdict, logOnlyBlock, logOnlyRows, type RowColumns, type VerdictColumns } from './fw-group-verdict.js';
import { B_DONE, V_DONE, V_NEXT, V_STATE, VS_FAILED, type VerdictTask } from './fw-verdict-thread.js';

parentPort!.on('message', (task: VerdictTask) => {
  const { ctl, owner, blocks, block } = task;
  try {
    const table = new FwTable();
    for (const c of task.chunks) {
      table.chunks.push(c);
      table.count += c.n;
    }
    for (let k = 1; k < task.strings.length; k++) table.strings.push(task.strings[k]!);
    const groups = new Groups(0, true, task.groups);
    groups.n = task.n;
    if (task.order) groups.order = task.order;
    const { groupConn, base } = task;
    const v = task.kind === 'verdicts' ? new GroupVerdict(table, groups, task.cols as VerdictColumns) : undefined;
    for (let b = Atomics.add(ctl, V_NEXT, 1); b < blocks; b = Atomics.add(ctl, V_NEXT, 1)) {
      const from = b * block, to = Math.min(task.n, (b + 1) * block);
      if (v) logOnlyBlock(v, groups, groupConn, task.map!, base, from, to);
      else logOnlyRows(table, groups, groupConn, task.cols as RowColumns, base, task.offset, from, to);
      Atomics.store(owner, b, B_DONE);
      Atomics.add(ctl, V_DONE, 1);
      Atomics.notify(ctl, V_DONE);
    }
  } catch {
    Atomics.store(ctl, V_STATE, VS_FAILED);
    Atomics.notify(ctl, V_DONE);
  }
});
