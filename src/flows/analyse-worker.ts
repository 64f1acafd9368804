/**
 * The analysis worker: started early (while the capture is still being read) so that its start-up
 * is over when the verdict pass begins; then, given the pass, it takes blocks of connections
 * (analyse-range.ts) from the packet table's shared columns alongside the main thread, writing the
 * verdicts into the shared output columns. History strings come back as a table of the distinct
 * ones, with a 1-based index per connection it analysed.
 */
import { parentPort } from 'node:worker_threads';
import { BY_WORKER, takeBlocks, type RangeInput, type RangeOutput, type SharedPass } from './analyse-range.js';

export interface AnalyseTask {
  input: RangeInput;
  pass: SharedPass;
  /** the shared output columns (histories aside) */
  out: Omit<RangeOutput, 'history'>;
  /** Int32Array over shared memory, one per connection: 1 + the history's index in the table (0: not analysed here) */
  historyIndex: Int32Array;
}

export interface AnalyseResult {
  historyTable: string[];
}

const port = parentPort!;
port.once('message', (task: AnalyseTask) => {
  // each distinct history once, in the table, and its index beside each connection analysed here
  const table: string[] = [];
  const ids = new Map<string, number>();
  const history = (i: number, h: string): void => {
    let id = ids.get(h);
    if (id === undefined) {
      ids.set(h, (id = table.length));
      table.push(h);
    }
    task.historyIndex[i] = id + 1;
  };
  takeBlocks(task.input, task.pass, { ...task.out, history }, BY_WORKER);
  port.postMessage({ historyTable: table } satisfies AnalyseResult);
});
