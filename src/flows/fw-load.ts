/**
 * Firewall logs -> the event table (fw-table.ts). A large plain file is cut in ranges at line
 * starts, each parsed by one of two workers (log-worker.ts) while this thread takes their chunks;
 * smaller files, gzip and stdin are parsed here. Either way the table ends with the same events in log
 * order, the same line numbers and the same issues as one pass over the file would give.
 */
import { Worker } from 'node:worker_threads';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { InputIssue } from '../model.js';
import { SourceError, type Input } from '../read/source.js';
import { ChunkWriter } from '../read/fw-chunk-writer.js';
import { MAX_LINE_ISSUES, SyslogParser, finishIssues, type ParseSummary, type SyslogOptions, type YearState } from '../read/syslog.js';
import { guidedCuts, headOf, isGzipFile, readLogChunks, readRangeBytes, splitPoints } from '../read/log-lines.js';
import { AsaBytes } from '../read/asa-bytes.js';
import { logFormatOf, unwrapOf, type LogFormat } from '../read/log-formats.js';
import type { AddrTable } from './addr-table.js';
import type { FwTable } from './fw-table.js';
import { workerMode } from './workers.js';
import type { LoadOptions } from './ingest.js';
import type { LogMessage, LogTask } from './log-worker.js';

/** Plain log files this large are parsed in ranges by LOG_WORKERS workers. */
const LOG_WORKER_MIN_BYTES = 16 << 20;
const LOG_WORKERS = 2;
/** The shortest range (the last ones): the workers end within about this much parsing of each other. */
const LOG_RANGE_MIN_BYTES = 8 << 20;
/**
 * Bytes of log a distinct IPv4 address, about: the benchmark's ASA log of 10 M lines (1.7 GB) names
 * 3.9 M, one every ~440 bytes. More of them grow the index as before; fewer leave it sparse.
 */
const LOG_BYTES_PER_ADDRESS = 450;
const LOG_WORKER_URL = new URL('./log-worker.js', import.meta.url);
const logWorkerBuilt = existsSync(fileURLToPath(LOG_WORKER_URL));

/** A firewall log input. */
export interface LogFile {
  path: string;
  name: string;
  events: number;
  /** lines read (events, other messages and malformed lines) */
  lines: number;
  /** events per message id */
  counts: Map<number, number>;
  nonAsaLines: number;
}

/** How a log's lines are found again for a view: in the file by offset, or kept in the chunks. */
export interface LogSource {
  path: string;
  /** the chunks carry the lines (stdin, gzip) */
  kept: boolean;
  format: LogFormat;
}

export interface LogLoad {
  path: string;
  name: string;
  input: Input;
}

/** Read one log into the table as log number `log`. */
export async function loadLog(l: LogLoad, log: number, table: FwTable, addrs: AddrTable, issues: InputIssue[], sopts: SyslogOptions,
  opts: LoadOptions): Promise<LogFile> {
  const before = table.count;
  const file = l.path === '-' ? 'stdin' : l.path;
  table.logNames[log] = file;
  let size = 0;
  let gzip = false;
  if (l.path !== '-') {
    try {
      size = statSync(l.path).size;
      gzip = isGzipFile(l.path);
    } catch {
      // reported by the read below
    }
  }
  const mode = logWorkerBuilt ? workerMode(opts.worker) : 'never';
  const split = l.path !== '-' && !gzip && size > 0 && (mode === 'always' || (mode === 'auto' && size >= LOG_WORKER_MIN_BYTES));
  let s: ParseSummary;
  let format: LogFormat = 'lines';
  const progress = (bytes: number): void => {
    opts.onProgress?.({ file: l.path, fileIndex: log, files: 1, bytesRead: bytes, totalBytes: size || undefined, packets: 0, conns: 0, events: table.count - before });
  };
  progress(0);
  if (split) {
    await l.input.chunks[Symbol.asyncIterator]().return?.();
    format = logFormatOf(headOf(l.path));
    // (room for an address every LOG_BYTES_PER_ADDRESS of the file: the address index then rarely grows)
    addrs.reserveV4(Math.floor(size / LOG_BYTES_PER_ADDRESS));
    s = await readInRanges(l.path, file, log, format, table, addrs, issues, sopts, progress, opts.logRangeBytes ?? LOG_RANGE_MIN_BYTES,
      opts.logWorkerFile ?? LOG_WORKER_URL);
  } else {
    const keep = l.path === '-' || gzip;
    let parser: SyslogParser | undefined;
    let done = 0;
    const writer = new ChunkWriter(log, 0, keep, (chunk, pool) => {
      table.append(chunk, pool.all, addrs);
      done += chunk.n;
    });
    let lastYield = performance.now();
    const yieldNow = opts.yieldEveryMs === undefined ? undefined : async (): Promise<void> => {
      if (performance.now() - lastYield < opts.yieldEveryMs!) return;
      progress(done);
      await new Promise<void>((r) => setImmediate(r));
      lastYield = performance.now();
    };
    try {
      await readLogChunks(l.input.chunks, (f) => {
        format = f;
        parser = new SyslogParser(file, sopts, { event: (facts, fields, raw) => writer.add(facts, fields, keep ? raw : undefined) }, undefined, unwrapOf(f));
        return (line, off) => parser!.line(line, off);
      }, yieldNow);
    } catch (e) {
      // (a damaged gzip says where in the decompressed text it stopped)
      const at = e instanceof SourceError ? { offset: e.offset } : {};
      issues.push({ file, ...at, severity: 'error', code: 'read-error', message: `reading stopped: ${e instanceof Error ? e.message : String(e)} (events before it are kept)` });
    }
    writer.flush(true);
    s = (parser ?? new SyslogParser(file, sopts, { event: () => undefined })).summary();
    table.sources[log] = { path: l.path, kept: keep, format };
  }
  table.sources[log] ??= { path: l.path, kept: false, format };
  finishIssues(file, s, format === 'siem-json');
  issues.push(...s.issues);
  return { path: l.path, name: l.name, events: table.count - before, lines: s.lines, counts: s.counts, nonAsaLines: s.nonAsaLines };
}

/**
 * Parse a plain file in ranges (guidedCuts) that two workers claim in turn, taking their chunks
 * as they come.
 */
async function readInRanges(path: string, file: string, log: number, format: LogFormat, table: FwTable, addrs: AddrTable,
  issues: InputIssue[], sopts: SyslogOptions, progress: (bytes: number) => void, minBytes: number, script: URL): Promise<ParseSummary> {
  const points = splitPoints(path, (size) => guidedCuts(size, LOG_WORKERS, minBytes));
  const ranges = points.length - 1;
  const bytes = new Array<number>(ranges).fill(0);
  const got = await runRanges({ path, log, points, next: new Int32Array(new SharedArrayBuffer(4)), opts: sopts, format }, (m, pool) => {
    table.append(m.chunk, pool, addrs);
    bytes[m.chunk.range] = m.bytes;
    progress(bytes.reduce((a, b) => a + b, 0));
  }, script);
  const sums: ParseSummary[] = [];
  // (one issue a cause, not one a range: a file gone stops every range alike)
  const said = new Set<string>();
  for (let r = 0; r < ranges; r++) {
    const g = got[r]!;
    if (g.error && !said.has(g.error)) {
      said.add(g.error);
      issues.push({ file, severity: 'error', code: 'read-error', message: `reading stopped: ${g.error} (events before it are kept)` });
    }
    let sum = g.summary ?? emptySummary();
    // a range parsed without knowing the year-less months before it: if the log wrapped past New
    // Year before the seam (or at it), parse it again here with the state it should have started with
    const prev = r > 0 ? sums[r - 1]!.year : undefined;
    if (prev && sum.firstMonth >= 0 && (prev.wraps > 0 || (prev.lastMonth === 11 && sum.firstMonth === 0))) {
      table.dropChunks((c) => c.log === log && c.range === r);
      sum = parseRangeHere(path, file, log, r, points[r]!, points[r + 1]!, format, table, addrs, sopts, prev);
    }
    sums.push(sum);
  }
  // line numbers and issues of later ranges count from the file's start
  let base = 0;
  for (let r = 0; r < ranges; r++) {
    if (base) {
      table.shiftLines((c) => c.log === log && c.range === r, base);
      for (const i of sums[r]!.issues) if (i.line !== undefined) i.line += base;
      if (sums[r]!.guessed) sums[r]!.guessed!.line += base;
      if (sums[r]!.firstNonAsa !== undefined) sums[r]!.firstNonAsa! += base;
    }
    base += sums[r]!.lines;
  }
  return mergeSummaries(sums);
}

function parseRangeHere(path: string, file: string, log: number, range: number, start: number, end: number, format: LogFormat,
  table: FwTable, addrs: AddrTable, sopts: SyslogOptions, year: YearState): ParseSummary {
  const writer = new ChunkWriter(log, range, false, (chunk, pool) => table.append(chunk, pool.all, addrs));
  const parser = new SyslogParser(file, sopts, { event: (f, fields) => writer.add(f, fields) }, year, unwrapOf(format));
  // (read as the worker reads it: common ASA lines from their bytes, the rest as text)
  parser.byteReader = new AsaBytes(writer);
  readRangeBytes(path, start, end, (b, s, e, off) => {
    if (!parser.lineBytes(b, s, e, off)) parser.line(b.toString('latin1', s, e), off);
  });
  writer.flush(true);
  return parser.summary();
}

const emptySummary = (): ParseSummary => ({
  issues: [], counts: new Map(), nonAsaLines: 0, lines: 0, badLines: 0, firstMonth: -1, year: { lastMonth: -1, wraps: 0 },
});

/** One file's summary from its ranges' (line numbers already from the file's start). */
function mergeSummaries(sums: ParseSummary[]): ParseSummary {
  const out = emptySummary();
  for (const s of sums) {
    for (const i of s.issues) {
      if (i.code === 'bad-syslog-line' && out.issues.filter((x) => x.code === 'bad-syslog-line').length >= MAX_LINE_ISSUES) continue;
      out.issues.push(i);
    }
    for (const [id, n] of s.counts) out.counts.set(id, (out.counts.get(id) ?? 0) + n);
    out.nonAsaLines += s.nonAsaLines;
    out.badLines += s.badLines;
    out.lines += s.lines;
    if (s.firstNonAsa !== undefined && out.firstNonAsa === undefined) out.firstNonAsa = s.firstNonAsa;
    if (s.guessed && !out.guessed) out.guessed = s.guessed;
    if (out.firstMonth < 0) out.firstMonth = s.firstMonth;
    out.year = s.year;
  }
  return out;
}

interface RangeResult { summary?: ParseSummary; error?: string }

/**
 * LOG_WORKERS workers over the task's ranges; `take` gets each chunk with the string pool of the
 * worker that read it. The result by range; a range a worker was reading when it stopped has none.
 */
function runRanges(task: LogTask, take: (m: Extract<LogMessage, { t: 'chunk' }>, pool: string[]) => void, script: URL): Promise<RangeResult[]> {
  const results: RangeResult[] = [];
  /** why a worker stopped or did not start: the ranges no worker finished say it */
  let why = 'the log reader stopped';
  const stopped = (e: unknown): void => {
    why = e instanceof Error ? e.message : String(e);
  };
  const one = (): Promise<void> => new Promise((resolve) => {
    const pool: string[] = [''];
    let w: Worker;
    try {
      w = new Worker(script, { resourceLimits: { maxYoungGenerationSizeMb: 16 } });
    } catch (e) {
      stopped(e);
      resolve();
      return;
    }
    let settled = false;
    const end = (): void => {
      if (settled) return;
      settled = true;
      void w.terminate();
      resolve();
    };
    w.on('message', (m: LogMessage) => {
      if (m.t === 'chunk') {
        for (const s of m.strings) pool.push(s);
        take(m, pool);
      } else if (m.t === 'done') results[m.range] = { summary: m.summary };
      else if (m.t === 'error') results[m.range] = { error: m.message };
      else end();
    });
    w.on('error', (e) => {
      stopped(e);
      end();
    });
    w.on('exit', end);
    w.postMessage(task);
  });
  // (a worker that stops leaves the ranges it did not claim to the other)
  return Promise.all(Array.from({ length: LOG_WORKERS }, one)).then(() => {
    for (let r = 0; r < task.points.length - 1; r++) results[r] ??= { error: why };
    return results;
  });
}
