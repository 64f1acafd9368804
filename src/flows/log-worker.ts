/**
 * The log reader worker: parses one range of a plain log file (fw-load.ts cuts large files in
 * two, one worker a range) into event chunks (fw-chunk.ts) and hands each full one to the main
 * thread, its buffers transferred, with the strings its pool gained since the last one.
 */
import { parentPort } from 'node:worker_threads';
import { ChunkWriter, offAt, type FwChunk } from '../read/fw-chunk.js';
import { SyslogParser, type ParseSummary, type SyslogOptions, type YearState } from '../read/syslog.js';
import { readRangeBytes } from '../read/log-lines.js';
import { AsaBytes } from '../read/asa-bytes.js';
import { unwrapOf, type LogFormat } from '../read/log-formats.js';

export interface LogTask {
  path: string;
  log: number;
  range: number;
  start: number;
  end: number;
  opts: SyslogOptions;
  year?: YearState;
  format: LogFormat;
}

export type LogMessage =
  | { t: 'chunk'; chunk: FwChunk; strings: string[]; bytes: number }
  | { t: 'done'; summary: ParseSummary }
  | { t: 'error'; message: string };

const port = parentPort!;
const task = await new Promise<LogTask>((resolve) => port.once('message', resolve));
let sent = 1;
const writer = new ChunkWriter(task.log, task.range, false, (chunk, pool) => {
  const strings = pool.all.slice(sent);
  sent = pool.all.length;
  const bytes = chunk.n ? offAt(chunk, chunk.n - 1) - task.start : 0;
  port.postMessage({ t: 'chunk', chunk, strings, bytes } satisfies LogMessage);
}, true);
const parser = new SyslogParser(task.path, task.opts, { event: (f, fields) => writer.add(f, fields) }, task.year, unwrapOf(task.format));
try {
  // ASA-family lines of the common shapes straight from the bytes into the chunk; the rest as text
  parser.byteReader = new AsaBytes(writer);
  readRangeBytes(task.path, task.start, task.end, (b, s, e, off) => {
    if (!parser.lineBytes(b, s, e, off)) parser.line(b.toString('latin1', s, e), off);
  });
  writer.flush(true);
  port.postMessage({ t: 'done', summary: parser.summary() } satisfies LogMessage);
} catch (e) {
  writer.flush(true);
  port.postMessage({ t: 'error', message: e instanceof Error ? e.message : String(e) } satisfies LogMessage);
}
