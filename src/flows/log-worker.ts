/**
 * The log reader worker: parses ranges of a plain log file (fw-load.ts cuts a large file in
 * ranges that the workers claim in turn from a shared counter) into event chunks (fw-chunk.ts)
 * and hands each full one to the main thread, its columns in shared memory, with the strings its pool
 * gained since the last one. One pool for all the ranges it reads: the main thread keeps one
 * list of strings per worker.
 */
import { parentPort } from 'node:worker_threads';
import { CHUNK_ROWS, offAt, type FwChunk } from '../read/fw-chunk.js';
import { ChunkWriter, StringPool } from '../read/fw-chunk-writer.js';
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
const ranges = task.points.length - 1;
const emit = (chunk: FwChunk, p: StringPool): void => {
  const strings = p.all.slice(sent);
  sent = p.all.length;
  const bytes = chunk.n ? offAt(chunk, chunk.n - 1) - task.points[chunk.range]! : 0;
  port.postMessage({ t: 'chunk', chunk, strings, bytes } satisfies LogMessage);
};
let r = Atomics.add(task.next, 0, 1);
// (one writer for every range this worker reads: each range's last chunk cut to its rows, its room filled again)
const writer = new ChunkWriter(task.log, r, false, emit, true, CHUNK_ROWS, pool);
while (r < ranges) {
  const parser = new SyslogParser(task.path, task.opts, { event: (f, fields) => writer.add(f, fields) }, undefined, unwrapOf(task.format));
  let error: string | undefined;
  try {
    // ASA-family lines of the common shapes straight from the bytes into the chunk; the rest as text
    parser.byteReader = new AsaBytes(writer);
    readRangeBytes(task.path, task.points[r]!, task.points[r + 1]!, (b, s, e, off) => {
      if (!parser.lineBytes(b, s, e, off)) parser.line(b.toString('latin1', s, e), off);
    });
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  const following = Atomics.add(task.next, 0, 1);
  if (following < ranges) writer.restart(following);
  else writer.flush(true);
  port.postMessage(error === undefined ? { t: 'done', range: r, summary: parser.summary() } : { t: 'error', range: r, message: error });
  r = following;
}
port.postMessage({ t: 'end' } satisfies LogMessage);
