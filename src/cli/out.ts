/**
 * Buffered stdout for large outputs (millions of lines): lines are encoded straight into 1 MiB
 * buffers (no joined string per flush), and a closed pipe (`rsttui packets x.pcap | head`) ends the
 * program quietly instead of crashing.
 */
import type { ByteLines } from '../export/flow-bytes.js';

let broken = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') {
    broken = true;
    process.exit(0);
  }
  throw e;
});

const SIZE = 1 << 20;

export class LineWriter implements ByteLines {
  private buf = Buffer.allocUnsafe(SIZE);
  private pos = 0;
  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {}

  line(s: string): void {
    if (broken) return;
    // worst case 3 bytes per UTF-16 unit
    if (this.pos + s.length * 3 + 1 > this.buf.length) {
      this.flush();
      if (s.length * 3 + 1 > this.buf.length) this.buf = Buffer.allocUnsafe(s.length * 3 + 1);
    }
    this.pos += this.buf.write(s, this.pos);
    this.buf[this.pos++] = 10;
  }

  get buffer(): Uint8Array {
    return this.buf;
  }

  /** Whole lines already encoded, as bytes (the stream may keep them until written). */
  bytes(b: Uint8Array): void {
    this.flush();
    if (!broken && b.length) this.stream.write(b);
  }

  /** Room for n bytes (lines written as bytes, see flow-bytes.ts): where to write them in `buffer`. */
  reserve(n: number): number {
    if (this.pos + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
    }
    return this.pos;
  }

  /** The bytes up to `end` are written. */
  commit(end: number): void {
    this.pos = end;
  }

  /**
   * The stream has more queued than it wants (a slow pipe): the caller awaits drained() before
   * more lines, or the whole output would be queued in memory. Set by flush().
   */
  full = false;

  /** Resolves once the stream has taken what it holds (after `full`). */
  drained(): Promise<void> {
    this.full = false;
    if (!(this.stream as NodeJS.WriteStream).writableNeedDrain) return Promise.resolve();
    return new Promise<void>((resolve) => this.stream.once('drain', () => resolve()));
  }

  flush(): void {
    if (broken) this.pos = 0;
    if (this.pos === 0) return;
    // The stream may hold on to the buffer until it is written: hand it over and start a new one,
    // unless the stream has already taken everything (files, /dev/null and most pipe writes are
    // synchronous). Reusing it saves a 1 MiB allocation per flush, and a run of dead buffers
    // waiting for the GC (~200 of them for 10^6 flow lines): they counted in the peak RSS.
    this.full = !this.stream.write(this.buf.subarray(0, this.pos));
    if ((this.stream as NodeJS.WriteStream).writableLength !== 0 || this.buf.length !== SIZE) this.buf = Buffer.allocUnsafe(SIZE);
    this.pos = 0;
  }

  /** Flush and wait until the stream has taken everything. */
  async end(): Promise<void> {
    this.flush();
    await new Promise<void>((resolve) => {
      if ((this.stream as NodeJS.WriteStream).writableNeedDrain) this.stream.once('drain', () => resolve());
      else resolve();
    });
  }
}
