/**
 * The reader worker: reads one capture file (plain or gzip), decodes every record and hands the
 * TCP packets to the main thread in shared batches (batch.ts). Started for large files by
 * workers.ts, ahead of need from the CLI (prewarmReader); what it reports is what the
 * main-thread reading would have found, record for record.
 */
import { parentPort } from 'node:worker_threads';
import { openInput, readCaptureInput } from '../read/source.js';
import { BATCH_PACKETS, FULL, MISC_V6, PacketBatch, RING, type WorkerMessage, type WorkerTask } from './batch.js';
import { decodingSink, newTally } from './decode-sink.js';
import { CHUNK_ROWS, newAnalysisChunk, putAnalysisRow, type AnalysisChunk } from './packet-table.js';

const port = parentPort!;
// (started ahead of need, see prewarmReader: the task comes when an input is ready for it)
const task = await new Promise<WorkerTask>((resolve) => port.once('message', resolve));
const post = (m: WorkerMessage): void => port.postMessage(m);
const batches = task.batches.map((b) => new PacketBatch(b));
const state = new Int32Array(task.state);
let k = 0;
let n = 0;
let b = batches[0]!;
let bytesRead = 0;
let totalBytes: number | undefined;
// the packet-table row of the next packet, its chunk, and the chunks made since the last batch
let row = task.startRow;
let chunk = task.chunk;
let made: AnalysisChunk[] = [];

function flush(): void {
  if (n === 0) return;
  Atomics.store(state, k, FULL);
  post({ t: 'batch', k, n, bytesRead, totalBytes, chunks: made });
  made = [];
  k = (k + 1) % RING;
  n = 0;
  b = batches[k]!;
  // the main thread still has this one: wait until it hands it back
  while (Atomics.load(state, k) === FULL) Atomics.wait(state, k, FULL);
}

const tally = newTally();
const sink = decodingSink(tally, (data, f, at) => {
  const { ts, mark } = at;
  const j = row++ & (CHUNK_ROWS - 1);
  if (j === 0 || chunk === undefined) made.push((chunk = newAnalysisChunk()));
  putAnalysisRow(chunk, j, ts, f.flags, f.seq, f.ack, f.payloadLen, f.win, mark);
  const i = n;
  b.ts[i] = ts;
  b.offset[i] = at.fileOffset;
  b.ports[i] = (f.sport << 16) | f.dport;
  b.seq[i] = f.seq;
  b.frame[i] = at.frame;
  b.plen[i] = f.payloadLen;
  let misc = f.flags | (mark << 8) | ((at.iface & 0x3fff) << 16);
  if (f.ipVersion === 4) {
    b.src[i] = f.v4src | 0;
    b.dst[i] = f.v4dst | 0;
  } else {
    misc |= MISC_V6;
    b.v6.set(data.subarray(f.srcOff, f.srcOff + 16), i * 32);
    b.v6.set(data.subarray(f.dstOff, f.dstOff + 16), i * 32 + 16);
  }
  b.misc[i] = misc;
  if (++n === BATCH_PACKETS) flush();
}, (issue) => post({ t: 'issue', issue }));

const input = await openInput(task.path);
await readCaptureInput(input, task.file, sink, (read, total) => {
  bytesRead = read;
  totalBytes = total;
});
flush();
post({ t: 'done', tally: { stats: tally.stats, linktypes: [...tally.linktypes], nsec: tally.nsec, firstDamagedFrame: tally.firstDamagedFrame, nflog: tally.nflog } });
