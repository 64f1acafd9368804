/**
 * The analysis worker: verdicts for a share of the connections (analyse-range.ts), read from the
 * packet table's shared columns, while the main thread analyses the rest. History strings come
 * back as a table of the distinct ones and an index per connection.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { analyseRange, newRangeOutput, type RangeInput, type RangeOutput } from './analyse-range.js';

export interface AnalyseTask {
  input: RangeInput;
  from: number;
  to: number;
}

/** RangeOutput, with the histories as a table of the distinct strings and an index per connection. */
export type AnalyseResult = Omit<RangeOutput, 'histories'> & { historyTable: string[]; historyIndex: Uint32Array };

const { input, from, to } = workerData as AnalyseTask;
const out = newRangeOutput(to - from);
analyseRange(input, from, to, out, from);
const table: string[] = [];
const ids = new Map<string, number>();
const historyIndex = new Uint32Array(to - from);
out.histories.forEach((h, k) => {
  let id = ids.get(h);
  if (id === undefined) {
    ids.set(h, (id = table.length));
    table.push(h);
  }
  historyIndex[k] = id;
});
const result: AnalyseResult = {
  connState: out.connState, teardown: out.teardown, closedBy: out.closedBy, anomalies: out.anomalies,
  origBytes: out.origBytes, respBytes: out.respBytes, missing: out.missing, historyTable: table, historyIndex,
};
// (the arrays are the worker's own: hand them over instead of copying)
const own = [out.connState, out.teardown, out.closedBy, out.anomalies, out.origBytes, out.respBytes, out.missing, historyIndex];
parentPort!.postMessage(result, own.map((a) => a.buffer as ArrayBuffer));
