/**
 * The text of firewall events, read back from their logs when a view or a record needs it: the
 * event table keeps each line's byte offset, not its text (a 10 M-line log would otherwise hold
 * ~1.7 GB of strings). Blocks of the file are cached (256 of 64 KiB), enough for the views and for
 * the records of a small log in connection order; on a large log the Teardown of a long connection
 * lies far ahead of its Built line, and the cache thrashes: the NDJSON lines read their blocks'
 * lines ahead in file order instead (readRaw, export/fw-batch.ts).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parseEnvelope, stripControl, VENDORS } from '../read/syslog-envelope.js';
import { readerOf } from '../read/vendors.js';
import { unwrapOf } from '../read/log-formats.js';
import { utf8Again } from '../read/syslog.js';
import { CHUNK_BITS, type FwTable } from './fw-table.js';
import { offAt } from '../read/fw-chunk.js';

const BLOCK = 64 * 1024;
// eslint-disable-next-line no-control-regex
const NOT_PLAIN = /[^\x20-\x7e]/;
const CACHED_BLOCKS = 256;
/** lines running past their block longer than this are left to body() */
const MAX_GATHER = 64 * 1024;
/** the longest line read back (longer ones are cut) */
const MAX_LINE = 1 << 20;

export class LogText {
  private readonly fds = new Map<number, number>();
  private readonly blocks = new Map<number, Buffer>();

  constructor(private readonly table: FwTable) {}

  /** The line of event e, as read (latin1: one character a byte), without its newline. */
  line(e: number): string {
    const c = this.table.chunk(e);
    const r = e & ((1 << CHUNK_BITS) - 1);
    const off = offAt(c, r);
    if (c.text) {
      let end = c.text.indexOf(10, off);
      if (end < 0) end = c.text.length;
      return Buffer.from(c.text.buffer, c.text.byteOffset + off, end - off).toString('latin1');
    }
    const src = this.table.sources[c.log];
    if (!src) return '';
    let s = '';
    for (let pos = off; s.length < MAX_LINE;) {
      const b = this.block(c.log, src.path, Math.floor(pos / BLOCK));
      if (!b) break;
      const from = pos % BLOCK;
      const nl = b.indexOf(10, from);
      s += b.toString('latin1', from, nl < 0 ? b.length : nl);
      if (nl >= 0 || b.length < BLOCK) break;
      pos += b.length - from;
    }
    if (s.endsWith('\r')) s = s.slice(0, -1);
    if (src.format !== 'lines') s = unwrapOf(src.format)?.(s) ?? '';
    return s;
  }

  /**
   * Where event e's message text lies as bytes, when it can be copied as it is: a plain log line
   * (not inside JSON), in a cached block, the kept text, or (running past its block) a scratch
   * buffer valid until the next call. `end` excludes the newline; the caller checks the bytes are
   * printable. Undefined otherwise (use body()).
   */
  bodySpan(e: number): { buf: Uint8Array; start: number; end: number } | undefined {
    const c = this.table.chunk(e);
    const r = e & ((1 << CHUNK_BITS) - 1);
    const at = c.bodyAt[r]!;
    if (at === 0xffff) return undefined;
    const off = offAt(c, r);
    let buf: Uint8Array, start: number;
    if (c.text) {
      buf = c.text;
      start = off;
    } else {
      const src = this.table.sources[c.log];
      if (!src || src.format !== 'lines') return undefined;
      const b = this.block(c.log, src.path, Math.floor(off / BLOCK));
      if (!b) return undefined;
      buf = b;
      start = off % BLOCK;
    }
    let end = buf.indexOf(10, start);
    if (end < 0) {
      if (!c.text && buf.length === BLOCK) {
        // the line goes on in the next block: its bytes gathered into a scratch buffer
        const line = this.gather(c.log, this.table.sources[c.log]!.path, off);
        if (!line) return undefined;
        buf = line;
        start = 0;
        end = line.length;
      } else end = buf.length;
    }
    if (end > start && buf[end - 1] === 13) end--;
    start += at;
    if (start > end) return undefined;
    while (start < end && buf[start] === 32) start++;
    while (end > start && buf[end - 1] === 32) end--;
    return { buf, start, end };
  }

  private scratch = Buffer.allocUnsafe(1024);

  /** The bytes of the line at `off` that runs past its block, without the newline (undefined: longer than MAX_GATHER). */
  private gather(log: number, path: string, off: number): Buffer | undefined {
    let n = 0;
    for (let pos = off; n <= MAX_GATHER;) {
      const b = this.block(log, path, Math.floor(pos / BLOCK));
      if (!b) break;
      const from = pos % BLOCK;
      const nl = b.indexOf(10, from);
      const to = nl < 0 ? b.length : nl;
      if (n + to - from > this.scratch.length) {
        const s = Buffer.allocUnsafe(Math.max(2 * this.scratch.length, n + to - from));
        this.scratch.copy(s, 0, 0, n);
        this.scratch = s;
      }
      n += b.copy(this.scratch, n, from, to);
      if (nl >= 0 || b.length < BLOCK) return this.scratch.subarray(0, n);
      pos += b.length - from;
    }
    return undefined;
  }

  /** The message text of event e (after the message id), control characters stripped, UTF-8 decoded. */
  body(e: number): string {
    const line = this.line(e);
    const c = this.table.chunk(e);
    const at = c.bodyAt[e & ((1 << CHUNK_BITS) - 1)]!;
    // (most lines are printable ASCII: nothing to strip or decode)
    if (at !== 0xffff && at <= line.length && !NOT_PLAIN.test(line)) return line.slice(at).trim();
    let body: string;
    if (at !== 0xffff && at <= line.length) body = stripControl(line.slice(at)).trim();
    else {
      const r = parseEnvelope(line);
      // (another vendor's line: its reader finds the message again)
      const hit = r === null ? readerOf(VENDORS[c.vendor[e & ((1 << CHUNK_BITS) - 1)]!] ?? 'ASA')?.parse(line, {}) : null;
      body = r && r.ok ? r.env.body : hit && !('error' in hit) ? hit.body : stripControl(line).trim();
    }
    return stripControl(utf8Again(body));
  }

  /**
   * Whether log `log`'s lines are read back from its file as they are (not from the chunks' kept
   * text, not inside JSON): then readRaw can read them.
   */
  rereadable(log: number): boolean {
    return this.table.sources[log]?.format === 'lines';
  }

  /**
   * Bytes [pos, pos + len) of log `log`'s file into `into` (from 0), bypassing the block cache: for
   * a reader that gathers many lines' offsets and reads them in file order itself
   * (export/fw-text-batch.ts). The count read (short at the end of the file), or -1.
   */
  readRaw(log: number, into: Uint8Array, pos: number, len: number): number {
    const src = this.table.sources[log];
    const fd = src ? this.fd(log, src.path) : undefined;
    if (fd === undefined) return -1;
    try {
      return readSync(fd, into, 0, Math.min(len, into.length), pos);
    } catch {
      return -1;
    }
  }

  private fd(log: number, path: string): number | undefined {
    let fd = this.fds.get(log);
    if (fd === undefined) {
      try {
        fd = openSync(path, 'r');
      } catch {
        return undefined;
      }
      this.fds.set(log, fd);
    }
    return fd;
  }

  private lastKey = -1;
  private lastBlock: Buffer | undefined;

  private block(log: number, path: string, k: number): Buffer | undefined {
    const key = log * 2 ** 32 + k;
    if (key === this.lastKey) return this.lastBlock;
    const got = this.fetch(log, path, k, key);
    this.lastKey = key;
    this.lastBlock = got;
    return got;
  }

  private fetch(log: number, path: string, k: number, key: number): Buffer | undefined {
    const hit = this.blocks.get(key);
    if (hit) {
      this.blocks.delete(key);
      this.blocks.set(key, hit);
      return hit;
    }
    const fd = this.fd(log, path);
    if (fd === undefined) return undefined;
    // (the least recently used block's buffer is read into again once the cache is full: a fresh
    // 64 KiB a read cost page faults and garbage, ~1 s over a 10 M-line log's output)
    let b: Buffer | undefined;
    if (this.blocks.size >= CACHED_BLOCKS) {
      const old = this.blocks.keys().next().value!;
      const ob = this.blocks.get(old)!;
      this.blocks.delete(old);
      if (ob.length === BLOCK && ob !== this.lastBlock) b = ob;
    }
    b ??= Buffer.allocUnsafe(BLOCK);
    let n: number;
    try {
      n = readSync(fd, b, 0, BLOCK, k * BLOCK);
    } catch {
      return undefined;
    }
    if (n <= 0) return undefined;
    const got = n < BLOCK ? b.subarray(0, n) : b;
    this.blocks.set(key, got);
    return got;
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
    this.blocks.clear();
    this.lastKey = -1;
    this.lastBlock = undefined;
  }
}
