/**
 * Lines of a log with their byte offsets, read in large blocks. Each block is decoded once as
 * latin1 (one character a byte, so a character's index is its byte offset) and cut at '\n' into
 * slices of that string: no per-line Buffer, no readline. Text that is UTF-8 is decoded again where
 * it is shown (syslog.ts utf8Again, log-text.ts).
 */
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { InputIssue } from '../model.js';
import { logFormatOf, type LogFormat } from './log-formats.js';

export type OnLine = (line: string, off: number) => void;

const BLOCK = 4 << 20;
/** bytes decoded into one string (see LineSplitter.push) */
const PIECE = 64 << 10;

/** Cuts blocks into lines; a line split across blocks is joined. */
export class LineSplitter {
  private carry = '';
  /** where the carried (partial) line starts */
  private carryOff = 0;
  private base = 0;
  constructor(private readonly onLine: OnLine) {}

  /**
   * The next block of the input (its bytes [0, n) of `buf`), decoded in pieces of PIECE bytes: a
   * string that large is allocated in V8's young generation, while one of a whole 4 MiB block is
   * a large object that gets fresh pages from the system every time (measured on the 1 M-line
   * benchmark log: 76 ms to decode it in 64 KiB pieces, 460-650 ms in 256 KiB or 4 MiB ones).
   */
  push(buf: Uint8Array, n: number): void {
    for (let o = 0; o < n; o += PIECE) this.piece(Buffer.from(buf.buffer, buf.byteOffset + o, Math.min(PIECE, n - o)).toString('latin1'));
  }

  private piece(s: string): void {
    const n = s.length;
    const base = this.base;
    this.base += n;
    let start = 0;
    let nl = s.indexOf('\n');
    if (this.carry !== '') {
      if (nl < 0) {
        this.carry += s;
        return;
      }
      this.onLine(this.carry + s.slice(0, nl), this.carryOff);
      this.carry = '';
      start = nl + 1;
      nl = s.indexOf('\n', start);
    }
    while (nl >= 0) {
      this.onLine(s.slice(start, nl), base + start);
      start = nl + 1;
      nl = s.indexOf('\n', start);
    }
    if (start < s.length) {
      this.carry = s.slice(start);
      this.carryOff = base + start;
    }
  }

  /** The last line, when the input does not end with '\n'. */
  end(): void {
    if (this.carry !== '') this.onLine(this.carry, this.carryOff);
    this.carry = '';
  }
}

/** Lines of a string (an in-memory log); offsets are character offsets. */
export function splitText(text: string, onLine: OnLine): void {
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      if (start < text.length) onLine(text.slice(start), start);
      break;
    }
    onLine(text.slice(start, nl), start);
    start = nl + 1;
  }
}

export function isGzipFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/**
 * Lines [start, end) of a plain file, `start` and `end` at line starts (or the file's end), read
 * synchronously in blocks (in a worker, or for a small file). Offsets are the file's.
 */
export function readRangeSync(path: string, start: number, end: number, onLine: OnLine): void {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(BLOCK);
    const split = new LineSplitter((l, off) => onLine(l, off + start));
    for (let pos = start; pos < end;) {
      const n = readSync(fd, buf, 0, Math.min(BLOCK, end - pos), pos);
      if (n <= 0) break;
      split.push(buf, n);
      pos += n;
    }
    split.end();
  } finally {
    closeSync(fd);
  }
}

/** A line as bytes: b[s, e) without its newline, starting at byte `off` of the file. */
export type OnLineBytes = (b: Buffer, s: number, e: number, off: number) => void;

/**
 * Lines [start, end) of a plain file as readRangeSync gives them (the same lines, offsets and
 * last line without '\n'), but as bytes in the block they were read into, for a reader that reads
 * bytes (the log worker's fast path) and makes a string only of the lines it leaves to the string
 * path. A line cut by the block's end is moved to the front and the block filled up behind it; a
 * line longer than the block doubles it.
 */
export function readRangeBytes(path: string, start: number, end: number, onLine: OnLineBytes): void {
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(BLOCK);
    /** bytes in buf, the file offset of buf[0], the next byte to read */
    let have = 0;
    let base = start;
    let pos = start;
    for (;;) {
      const n = pos < end ? readSync(fd, buf, have, Math.min(buf.length - have, end - pos), pos) : 0;
      have += Math.max(n, 0);
      pos += Math.max(n, 0);
      let ls = 0;
      for (let nl = buf.indexOf(10, 0); nl >= 0 && nl < have; nl = buf.indexOf(10, ls)) {
        onLine(buf, ls, nl, base + ls);
        ls = nl + 1;
      }
      if (n <= 0) {
        if (ls < have) onLine(buf, ls, have, base + ls);
        return;
      }
      if (ls === 0 && have === buf.length) {
        const grown = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(grown, 0, 0, have);
        buf = grown;
      } else {
        buf.copy(buf, 0, ls, have);
        have -= ls;
        base += ls;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** The first bytes of a plain file (for the format sniffer). */
export function headOf(path: string, bytes = 64 * 1024): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(bytes);
    const n = readSync(fd, b, 0, bytes, 0);
    return b.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * Where to cut a plain file into ranges: the line start at or after each offset `cuts` gives for
 * the file's size (offsets rising), with 0 first and the size last.
 */
export function splitPoints(path: string, cuts: (size: number) => number[]): number[] {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const out = [0];
    const b = Buffer.alloc(64 * 1024);
    for (const at of cuts(size)) {
      let pos = Math.max(at, out[out.length - 1]!);
      for (;;) {
        const n = readSync(fd, b, 0, b.length, pos);
        if (n <= 0) { pos = size; break; }
        const nl = b.subarray(0, n).indexOf(10);
        if (nl >= 0) { pos += nl + 1; break; }
        pos += n;
      }
      if (pos > out[out.length - 1]! && pos < size) out.push(pos);
    }
    out.push(size);
    return out;
  } finally {
    closeSync(fd);
  }
}

/**
 * Offsets to cut `size` bytes at for `workers` threads taking ranges in turn (guided
 * self-scheduling): each range a quarter of what is left per two workers, down to `minBytes`
 * (at most half the file), so that the ranges get shorter towards the end and the threads finish
 * within a short range's time of each other whatever share of the cores each was given.
 */
export function guidedCuts(size: number, workers: number, minBytes: number): number[] {
  const min = Math.max(1, Math.min(minBytes, Math.ceil(size / 2)));
  const out: number[] = [];
  let at = 0;
  for (;;) {
    const step = Math.max(min, Math.ceil((size - at) / (2 * workers)));
    if (size - at <= step + min / 2) return out;
    at += step;
    out.push(at);
  }
}

/**
 * Read a whole log from a stream of chunks (stdin, gzip): `make` is given the format sniffed from
 * the first chunk and returns the line callback. Offsets are in the (decompressed) stream.
 */
export async function readLogChunks(chunks: AsyncIterable<Uint8Array>, make: (format: LogFormat) => OnLine,
  yieldEvery?: () => Promise<void>): Promise<void> {
  let split: LineSplitter | undefined;
  for await (const c of chunks) {
    split ??= new LineSplitter(make(logFormatOf(c)));
    split.push(c, c.length);
    if (yieldEvery) await yieldEvery();
  }
  split?.end();
}

/**
 * Read a log file whole (gzip undone): returns a read error as an issue (events before it are
 * kept), throws only when the file cannot be opened.
 */
export async function readLogSource(path: string, make: (format: LogFormat) => OnLine): Promise<InputIssue | undefined> {
  const raw = createReadStream(path, { highWaterMark: BLOCK });
  const input: Readable = isGzipFile(path) ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
  let err: Error | undefined;
  raw.on('error', (e) => { err ??= e; });
  // (bytes handed on: where a damaged gzip stopped, in the decompressed text)
  let bytes = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const c of input as AsyncIterable<Uint8Array>) {
      bytes += c.length;
      yield c;
    }
  }
  try {
    await readLogChunks(counted(), make);
  } catch (e) {
    err ??= e as Error;
  }
  return err ? { file: path, offset: bytes, severity: 'error', code: 'read-error', message: `reading stopped: ${err.message} (events before it are kept)` } : undefined;
}
