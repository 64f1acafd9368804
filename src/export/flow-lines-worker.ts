/**
 * The flow-lines worker (`flows` of a large loaded dataset: NDJSON, CSV or the table; flow-share.ts
 * writeFlowLines): it takes blocks of connections from the shared counter alongside the main
 * thread, encodes their lines with the same encoder over the shared columns, and posts each
 * block's bytes. The firewall arrays are encoded from the shared event chunks, their text read
 * back from the logs by a LogText of its own (it opens the files itself; a gzip or stdin log's
 * lines are in the chunks).
 */
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import type { FlowSource } from './flow-bytes.js';
import { FirewallBytes } from './fw-bytes.js';
import type { CellSource } from './flow-cells.js';
import { C_DONE, C_NEXT, C_POSTED, encodeBlock, sharedFlows, type FlowLinesTask, type LinesMessage } from './flow-share.js';
import { lineEncoder } from './lines-mode.js';
import { FwTable } from '../flows/fw-table.js';
import { LogText } from '../flows/log-text.js';
import type { FwChunk } from '../read/fw-chunk.js';

/** The lines' source over the task, the event table, and the log text it reads (to close). */
function taskFlows(t: FlowLinesTask): { src: FlowSource; fw?: FwTable; text?: LogText } {
  const { histories, historyIndex } = t;
  const base: FlowSource = { ...sharedFlows(t.share, (i) => histories[historyIndex[i] ?? 0] ?? ''), fwBytes: t.fwBytes };
  if (!t.fw) return { src: base };
  const { chunks, strings, sources, logNames, start, events } = t.fw;
  const fw = new FwTable();
  // (the chunks carry only the columns the lines read: times, message ids, strings, where the text is)
  for (const c of chunks) {
    fw.chunks.push(c as FwChunk);
    fw.count += c.n;
  }
  for (let k = 1; k < strings.length; k++) fw.strings.push(strings[k]!);
  fw.sources.push(...sources);
  fw.logNames.push(...logNames);
  const text = new LogText(fw);
  const firewallBytes = new FirewallBytes({ fw, fwText: text, fwEvents: (i) => events.subarray(start[i]!, start[i + 1]!), byConn: { start, events }, addrs: base });
  return { src: { ...base, firewallBytes }, fw, text };
}

/** The table's cells over the task (the lines' source and the shared event chunks). */
function taskCells(task: FlowLinesTask, src: FlowSource, fw: FwTable | undefined): CellSource {
  const ev = task.fw, none = new Uint32Array(0);
  return {
    flows: src, fw: fw ?? new FwTable(), idOf: (i) => i + 1,
    fwEvents: ev ? (i) => ev.events.subarray(ev.start[i]!, ev.start[i + 1]!) : () => none,
  };
}

const port = parentPort!;
port.once('message', (task: FlowLinesTask) => {
  const { ctl, n, block, lead, port: to } = task;
  const { src, fw, text } = taskFlows(task);
  const enc = lineEncoder(task, src, () => taskCells(task, src, fw));
  const blocks = Math.ceil(n / block);
  // block buffers the main thread is done with, sent back
  const spare: Uint8Array[] = [];
  for (;;) {
    for (let m = receiveMessageOnPort(to); m; m = receiveMessageOnPort(to)) spare.push(new Uint8Array(m.message as ArrayBuffer));
    const next = Atomics.load(ctl, C_NEXT);
    if (next >= blocks) break;
    // (not more than `lead` blocks past the last one the main thread handed on)
    const done = Atomics.load(ctl, C_DONE);
    if (next - done >= lead) {
      Atomics.wait(ctl, C_DONE, done, 100);
      continue;
    }
    const b = Atomics.add(ctl, C_NEXT, 1);
    if (b >= blocks) break;
    const from = b * block;
    const bytes = encodeBlock(enc, from, Math.min(n, from + block), spare.pop());
    to.postMessage({ from, bytes } satisfies LinesMessage, [bytes.buffer as ArrayBuffer]);
    Atomics.add(ctl, C_POSTED, 1);
    Atomics.notify(ctl, C_POSTED);
  }
  text?.close();
  to.close();
});
