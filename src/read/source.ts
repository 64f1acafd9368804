/**
 * Byte sources for inputs: plain files, gzip files (detected by magic 1f 8b, not by name) and
 * stdin (`-`), as one async stream of chunks; plus `readCapture`, which runs a whole capture
 * through the right reader.
 *
 * Chunk lifetime: plain files are read with fs.readSync into a pool of TWO 4 MiB buffers that
 * alternate, so a chunk stays valid until the consumer asks for the chunk after next. Readers
 * process a chunk synchronously in push() and copy only a record straddling two chunks, so one
 * chunk of lookahead is more than they need. Streams (gzip, stdin, pipes) yield fresh buffers.
 */
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import type { InputKind, RecordSink } from '../model.js';
import { sniffKind } from './detect.js';
import { PcapReader } from './pcap.js';
import { PcapngReader } from './pcapng.js';
import { hexBytes } from './issues.js';

export interface Source {
  name: string;
  /** size on disk (compressed size for gzip), for progress; undefined for stdin and pipes */
  size: number | undefined;
  compressed: boolean;
  /** the (decompressed) bytes in order; iterate once */
  chunks(): AsyncIterable<Uint8Array>;
  /** bytes taken from disk / stdin so far (compressed bytes for gzip), to compare with size */
  bytesRead(): number;
}

/** The source broke off (corrupt or truncated gzip, read error) after `offset` decompressed bytes. */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly offset: number,
    readonly code: string,
  ) {
    super(message);
  }
}

const CHUNK = 4 * 1024 * 1024;
const GZ_IN = 1024 * 1024;
const GZ_OUT = 1024 * 1024;

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export async function openSource(path: string): Promise<Source> {
  if (path === '-') return streamSource('stdin', process.stdin, undefined);
  const fd = openSync(path, 'r');
  const st = fstatSync(fd);
  if (!st.isFile()) {
    // a FIFO or device: no positional reads, so treat it like stdin
    return streamSource(path, createReadStream('', { fd, highWaterMark: GZ_IN }), undefined);
  }
  const magic = new Uint8Array(2);
  const got = readSync(fd, magic, 0, 2, 0);
  if (got === 2 && magic[0] === 0x1f && magic[1] === 0x8b) {
    const raw = createReadStream('', { fd, highWaterMark: GZ_IN, start: 0 });
    return gzipSource(path, raw, st.size, undefined);
  }
  return fileSource(path, fd, st.size);
}

function fileSource(name: string, fd: number, size: number): Source {
  let read = 0;
  return {
    name,
    size,
    compressed: false,
    bytesRead: () => read,
    async *chunks() {
      const pool = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
      let k = 0;
      try {
        for (;;) {
          const buf = pool[k]!;
          k ^= 1;
          const n = readSync(fd, buf, 0, CHUNK, read);
          if (n === 0) return;
          read += n;
          yield n === CHUNK ? buf : buf.subarray(0, n);
          // let timers and the UI run between chunks (a 1 GB file is ~250 chunks)
          await yieldToLoop();
        }
      } finally {
        closeSync(fd);
      }
    },
  };
}

/**
 * stdin or a pipe: the first bytes decide whether it is gzip. Data is consumed through one
 * async iterator so that the peeked bytes are replayed ahead of the rest.
 */
async function streamSource(name: string, stream: Readable, size: number | undefined): Promise<Source> {
  let read = 0;
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let headLen = 0;
  let done = false;
  while (headLen < 2) {
    const r = await it.next();
    if (r.done === true) {
      done = true;
      break;
    }
    head.push(r.value);
    headLen += r.value.length;
  }
  read = headLen;
  async function* raw(): AsyncGenerator<Buffer> {
    for (const h of head) yield h;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done === true) return;
      read += r.value.length;
      yield r.value;
    }
  }
  const first = head.length === 1 ? head[0]! : Buffer.concat(head);
  if (first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b) {
    return gzipSource(name, Readable.from(raw(), { objectMode: false }), size, () => read);
  }
  return {
    name,
    size,
    compressed: false,
    bytesRead: () => read,
    chunks: raw,
  };
}

function gzipSource(name: string, raw: Readable, size: number | undefined, rawCount: (() => number) | undefined): Source {
  let read = 0;
  if (rawCount === undefined) raw.on('data', (c: Buffer) => (read += c.length));
  return {
    name,
    size,
    compressed: true,
    bytesRead: () => (rawCount !== undefined ? rawCount() : read),
    async *chunks() {
      const gz = createGunzip({ chunkSize: GZ_OUT });
      raw.on('error', (e) => gz.destroy(e));
      raw.pipe(gz);
      let out = 0;
      try {
        for await (const c of gz as AsyncIterable<Buffer>) {
          out += c.length;
          yield c;
        }
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        const what = /unexpected end of file/i.test(msg) ? 'gzip data is cut short' : `gzip data is corrupt (${msg})`;
        throw new SourceError(`${what} after ${out} decompressed bytes; keeping what was decoded`, name, out, 'bad-gzip');
      } finally {
        raw.destroy();
      }
    },
  };
}

/** Bytes looked at before deciding what an input is. */
const PEEK = 4096;

export interface Input {
  source: Source;
  kind: InputKind;
  /** all (decompressed) chunks, the peeked ones included; iterate once */
  chunks: AsyncIterable<Uint8Array>;
}

/**
 * Open an input and decide its kind from its first decompressed bytes (the first chunk for
 * streams, topped up to a few KiB so text formats show whole lines), without losing them:
 * works for stdin, where nothing can be read twice.
 */
export async function openInput(path: string): Promise<Input> {
  const source = await openSource(path);
  const it = source.chunks()[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let headLen = 0;
  let done = false;
  for (;;) {
    const joined = head.length === 1 ? head[0]! : Buffer.concat(head);
    const k = sniffKind(joined);
    if (headLen >= PEEK || ((k === 'pcap' || k === 'pcapng' || k === 'gzip') && headLen >= 4)) break;
    const r = await it.next();
    if (r.done === true) {
      done = true;
      break;
    }
    head.push(r.value);
    headLen += r.value.length;
  }
  const first = head.length === 1 ? head[0]! : Buffer.concat(head);
  const kind = sniffKind(first);
  async function* all(): AsyncGenerator<Uint8Array> {
    try {
      for (const h of head) yield h;
      if (done) return;
      for (;;) {
        const r = await it.next();
        if (r.done === true) return;
        yield r.value;
      }
    } finally {
      // a consumer that stops early must still close the file / stream underneath
      if (!done) await it.return?.();
    }
  }
  return { source, kind, chunks: all() };
}

export interface CaptureResult {
  kind: InputKind;
  frames: number;
  /** decompressed bytes read */
  bytes: number;
}

/**
 * Read a whole pcap / pcapng capture (plain, gzip or stdin) into sink. Text inputs and unknown
 * data give a fatal issue: callers that route text elsewhere should use openInput first.
 */
export async function readCapture(
  path: string,
  sink: RecordSink,
  onProgress?: (bytesRead: number, size: number | undefined) => void,
): Promise<CaptureResult> {
  const file = path === '-' ? 'stdin' : path;
  let input: Input;
  try {
    input = await openInput(path);
  } catch (e) {
    sink.issue({ file, severity: 'error', code: 'open-failed', message: e instanceof Error ? e.message : String(e), fatal: true });
    return { kind: 'unknown', frames: 0, bytes: 0 };
  }
  return readCaptureInput(input, file, sink, onProgress);
}

/** readCapture for an input already opened (and sniffed) with openInput: stdin can be opened once only. */
export async function readCaptureInput(
  input: Input,
  file: string,
  sink: RecordSink,
  onProgress?: (bytesRead: number, size: number | undefined) => void,
): Promise<CaptureResult> {
  const { source, kind } = input;
  let reader: PcapReader | PcapngReader | undefined;
  if (kind === 'pcap') reader = new PcapReader(file, sink);
  else if (kind === 'pcapng') reader = new PcapngReader(file, sink);
  let bytes = 0;
  if (reader === undefined) {
    // drain nothing: close by abandoning the iterator (plain files close in its finally)
    const it = input.chunks[Symbol.asyncIterator]();
    const first = await it.next();
    await it.return?.();
    const n = first.done === true ? 0 : first.value.length;
    const start = first.done === true ? '' : hexBytes(first.value, 0, 4);
    const what = n === 0
      ? 'input is empty'
      : kind === 'syslog' ? 'input is firewall syslog text, not a pcap/pcapng capture'
      : kind === 'text-capture' ? 'input is a text packet listing, not a pcap/pcapng capture'
      : kind === 'gzip' ? 'input is gzip inside gzip; decompress it first'
      : `input is not a capture: first bytes ${start} are neither a pcap magic (a1b2c3d4, a1b23c4d, either byte order), a pcapng Section Header Block (0a0d0d0a) nor gzip (1f8b)`;
    sink.issue({ file, offset: 0, severity: 'error', code: n === 0 ? 'empty-input' : kind === 'unknown' ? 'bad-magic' : 'not-a-capture', message: what, fatal: true });
    return { kind, frames: 0, bytes: 0 };
  }
  try {
    for await (const c of input.chunks) {
      reader.push(c);
      bytes += c.length;
      onProgress?.(source.bytesRead(), source.size);
      if (reader.stopped) break; // the record boundary is lost: the rest cannot be read
    }
  } catch (e) {
    if (e instanceof SourceError) sink.issue({ file, offset: e.offset, severity: 'error', code: e.code, message: e.message });
    else sink.issue({ file, offset: bytes, severity: 'error', code: 'read-failed', message: `read failed after ${bytes} bytes: ${e instanceof Error ? e.message : String(e)}` });
  }
  reader.end();
  return { kind, frames: reader.frames, bytes };
}
