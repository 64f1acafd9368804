/**
 * The log reader worker: parses ranges of a plain log file (fw-load.ts cuts a large file in
 * ranges that the workers claim in turn from a shared counter) into event chunks (fw-chunk.ts)
 * and hands each full one to the main thread, its buffers transferred, with the strings its pool
 * gained since the last one. One pool for all the ranges it reads: the main thread keeps one
 * list of strings per worker.
 */
import { parentPort } from 'node:worker_threads';
import { CHUNK_ROWS, ChunkWriter, StringPool, offAt, type FwChunk } from '../read/fw-chunk.js';
import { SyslogParser, type ParseSummary, type SyslogOptions } from '../read/syslog.js';
import { readRangeBytes } from '../read/log-lines.js';
import { AsaBytes } from '../read/asa-bytes.js';
import { unwrapOf, type LogFormat } from '../read/log-formats.js';

export interface LogTask {
  path: string;
  log: number;
  /** range r is [points[r], points[r + 1]) */
  points: number[];
  /** the next range to claim (Int32Array over a SharedArrayBuffer, one cell) */
  next: Int32Array;
  opts: SyslogOptions;
  format: LogFormat;
}

export type LogMessage =
  | { t: 'chunk'; chunk: FwChunk; strings: string[]; bytes: number }
  | { t: 'done'; range: number; summary: ParseSummary }
  | { t: 'error'; range: number; message: string }
  | { t: 'end' };

const port = parentPort!;
const task = await new Promise<LogTask>((resolve) => port.once('message', resolve));
const pool = new StringPool();
let sent = 1;
for (let r = Atomics.add(task.next, 0, 1); r < task.points.length - 1; r = Atomics.add(task.next, 0, 1)) {
  const start = task.points[r]!, end = task.points[r + 1]!;
  const writer = new ChunkWriter(task.log, r, false, (chunk, p) => {
    const strings = p.all.slice(sent);
    sent = p.all.length;
    const bytes = chunk.n ? offAt(chunk, chunk.n - 1) - start : 0;
    port.postMessage({ t: 'chunk', chunk, strings, bytes } satisfies LogMessage);
  }, true, CHUNK_ROWS, pool);
  const parser = new SyslogParser(task.path, task.opts, { event: (f, fields) => writer.add(f, fields) }, undefined, unwrapOf(task.format));
  try {
    // ASA-family lines of the common shapes straight from the bytes into the chunk; the rest as text
    parser.byteReader = new AsaBytes(writer);
    readRangeBytes(task.path, start, end, (b, s, e, off) => {
      if (!parser.lineBytes(b, s, e, off)) parser.line(b.toString('latin1', s, e), off);
    });
    writer.flush(true);
    port.postMessage({ t: 'done', range: r, summary: parser.summary() } satisfies LogMessage);
  } catch (e) {
    writer.flush(true);
    port.postMessage({ t: 'error', range: r, message: e instanceof Error ? e.message : String(e) } satisfies LogMessage);
  }
}
port.postMessage({ t: 'end' } satisfies LogMessage);
