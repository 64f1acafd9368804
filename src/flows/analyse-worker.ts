/**
 * The analysis worker: started early (while the capture is still being read) so that its start-up
 * is over when the verdict pass begins; then, given the pass, it takes blocks of connections
 * (analyse-range.ts) from the packet table's shared columns alongside the main thread, writing the
 * verdicts into the shared output columns. History strings come back as a table of the distinct
 * ones, with a 1-based index per connection it analysed. Given lines to write (`flows --format
 * ndjson`, flow-share.ts), it writes its blocks' flow lines too and posts them on a port of their own.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { BY_WORKER, takeBlocks, type RangeInput, type RangeOutput, type SharedPass } from './analyse-range.js';
import { FlowLineEncoder } from '../export/flow-bytes.js';
import { encodeBlock, sharedFlows, type FlowShare } from '../export/flow-share.js';

export interface AnalyseTask {
  input: RangeInput;
  pass: SharedPass;
  /** the shared output columns (histories aside) */
  out: Omit<RangeOutput, 'history'>;
  /** Int32Array over shared memory, one per connection: 1 + the history's index in the table (0: not analysed here) */
  historyIndex: Int32Array;
  /** given, write each block's flow lines too, and post them on `port` as { from, bytes } */
  lines?: { share: FlowShare; port: MessagePort };
}

/** A block's flow lines, as posted. */
export interface BlockLines {
  from: number;
  bytes: Uint8Array;
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
  let lines: RangeOutput['lines'];
  if (task.lines) {
    const { share, port: to } = task.lines;
    const enc = new FlowLineEncoder(sharedFlows(share, (i) => table[task.historyIndex[i]! - 1] ?? ''));
    lines = (from, end) => {
      const bytes = encodeBlock(enc, from, end);
      to.postMessage({ from, bytes } satisfies BlockLines, [bytes.buffer as ArrayBuffer]);
    };
  }
  takeBlocks(task.input, task.pass, { ...task.out, history, ...(lines ? { lines } : {}) }, BY_WORKER);
  port.postMessage({ historyTable: table } satisfies AnalyseResult);
});
