/**
 * The firewall events of a block of connections as the JSON objects of their flow lines'
 * `firewall` arrays, their texts read from the log in file order (fw-bytes.ts copies each one
 * into its line).
 *
 * Why: the lines go in connection order, the log's lines in time order. A connection's Built line
 * is near the lines of the connections beside it, but the Teardown of a long connection lies far
 * ahead in the file. Reading each event's line through LogText's block cache re-read each 64 KiB
 * block of a 10 M-line log ~17 times (the cache thrashed), ~5 s of reads a thread. Here a block's
 * event offsets are sorted, lines closer than GAP are read together in one read, an isolated line
 * in one small read: each part of the log a block needs is read once, at a few µs a read.
 *
 * Memory: one range buffer (MAX_RANGE) and the block's objects (about the bytes of its lines), in
 * one buffer: a text is copied from the range to its object natively without a view made for it
 * (copyWithin), ~700 k fewer objects for the collector on the 1 M-line log.
 * Events it cannot take (a line kept in memory, in JSON, longer than MAX_LINE, not printable
 * ASCII, or cut by the end of a read) are left to LogText, start -1.
 *
 * Where the byte reader vouched for a body (fw-chunk.ts TEXT_PLAIN, TEXT_ESC: printable ASCII, and
 * whether it has anything to escape) and the next row of its chunk is the next line, the line ends
 * where that one starts: its text is copied with no look for its end or at its bytes, and a range
 * ending with it is read up to that end, not TAIL past its start. Where it vouched that the body
 * is exactly what the row's columns say (TEXT_CANON: most Teardowns) and the line would be read
 * alone (a long connection's Teardown, far ahead), its body is written from the columns
 * (fw-render.ts) instead: 3/4 of the reads at 10 M lines. (Not every such body: the columns of a
 * row far away cost more to fetch and write out than the copy of a line read with others.)
 */
import { CHUNK_BITS, type FwTable } from '../flows/fw-table.js';
import { offAt, TEXT_CANON, TEXT_ESC, TEXT_PLAIN } from '../read/fw-chunk.js';
import type { LogText } from '../flows/log-text.js';
import { HEAD_MAX, type EventJson } from './fw-event-json.js';
import type { BodyWriter } from './fw-render.js';

/** a read costs ~3 µs, about what copying 8 KiB from the page cache costs on a busy machine: lines closer are read together */
const GAP = 8 * 1024;
/** bytes read past the last line's start in a range: most lines end within them, the others are read again */
const TAIL = 512;
/** the longest line taken here (from its start); longer ones are left to LogText */
const MAX_LINE = 4096;
/** the most one read takes */
const MAX_RANGE = 256 * 1024;
const ROW_MASK = (1 << CHUNK_BITS) - 1;
/** by byte: ESCAPED for `"` and `\\`, NOT_PRINTABLE outside 0x20-0x7e */
const ESCAPED = 1;
const NOT_PRINTABLE = 2;
/** (in `escaped`) the body is TEXT_CANON: it can be written from its columns */
const CANON = 4;
const CLASS = new Uint8Array(256).map((_, c) => (c < 0x20 || c > 0x7e ? NOT_PRINTABLE : c === 34 || c === 92 ? ESCAPED : 0));
/** when `bodyAt` is this, the line's body must be found again (LogText.body) */
const NO_BODY_AT = 0xffff;
const TEXT_BITS = TEXT_PLAIN | TEXT_ESC;

export class FwEventBatch {
  /** per event of the batch: its JSON object at `json` [start, end); start -1: not here (the range read is json's first MAX_RANGE bytes) */
  start = new Int32Array(0);
  end = new Int32Array(0);
  json = new Uint8Array(MAX_RANGE + (1 << 16));
  /** reads and bytes read, and bodies written from their columns, for reports */
  reads = 0;
  bytesRead = 0;
  rendered = 0;

  private used = 0;
  private offs = new Float64Array(0);
  /** per event: where its line ends (its newline) when known, else -1; then ESCAPED when its body has a `"` or `\` (TEXT_ESC), CANON when TEXT_CANON */
  private ends = new Float64Array(0);
  private escaped = new Uint8Array(0);
  private logs = new Int32Array(0);
  private order = new Uint32Array(0);
  private keys = new Float64Array(0);
  private range = this.json.subarray(0, MAX_RANGE);
  /** `range` 4 bytes at a time (scan) */
  private words = new Int32Array(this.json.buffer, 0, MAX_RANGE / 4);

  constructor(
    private readonly fw: Pick<FwTable, 'chunk'>,
    private readonly logText: Pick<LogText, 'readRaw' | 'rereadable'>,
    private readonly events: EventJson,
    /** writes a TEXT_CANON body from its columns (none: read like the others) */
    private readonly body?: BodyWriter,
  ) {}

  /** The objects of events[0, n) (event k's at start[k], end[k]). */
  load(events: Uint32Array, n: number): void {
    this.size(n);
    this.used = MAX_RANGE;
    const { offs, logs, order, start, ends, escaped } = this;
    let m = 0, maxOff = 0, oneLog = true;
    for (let k = 0; k < n; k++) {
      start[k] = -1;
      const e = events[k]!;
      const c = this.fw.chunk(e), r = e & ROW_MASK;
      if (c.text || c.bodyAt[r] === NO_BODY_AT || !this.logText.rereadable(c.log)) continue;
      const t = c.bits[r]! & TEXT_BITS;
      offs[k] = offAt(c, r);
      ends[k] = t !== 0 && r + 1 < c.n && c.line[r + 1] === c.line[r]! + 1 ? offAt(c, r + 1) - 1 : -1;
      escaped[k] = t === TEXT_ESC ? ESCAPED : t === TEXT_CANON ? CANON : 0;
      logs[k] = c.log;
      if (m && c.log !== logs[order[0]!]) oneLog = false;
      if (offs[k]! > maxOff) maxOff = offs[k]!;
      order[m++] = k;
    }
    if (m === 0) return;
    this.sort(m, maxOff, oneLog);
    // ranges: consecutive lines of one log less than GAP apart, up to MAX_RANGE; a range goes on
    // from its first line cut by the end of the read, with a longer read if that is its first
    for (let j0 = 0; j0 < m;) {
      let j1 = j0 + 1;
      for (; j1 < m; j1++) {
        const k = order[j1]!, p = order[j1 - 1]!;
        if (logs[k] !== logs[p] || offs[k]! - offs[p]! > GAP || offs[k]! + TAIL - offs[order[j0]!]! > MAX_RANGE) break;
      }
      // (a line alone, most often a Teardown far ahead of its Built: written from its columns if it
      // can be, which costs less than a read; not the others, whose copy costs less than that)
      if (j1 === j0 + 1 && escaped[order[j0]!] === CANON && this.body) {
        this.render(order[j0]!, events[order[j0]!]!);
        j0 = j1;
        continue;
      }
      const cut = this.readRange(events, j0, j1, TAIL);
      j0 = cut > j0 ? cut : this.readRange(events, j0, j0 + 1, MAX_LINE);
    }
  }

  /** order[0, m) sorted by (log, offset): one sort of numbers (offset and index in one) where they fit in a double's 53 bits. */
  private sort(m: number, maxOff: number, oneLog: boolean): void {
    const { offs, logs, order } = this;
    const bits = 32 - Math.clz32(this.start.length);
    const scale = 2 ** bits;
    if (oneLog && maxOff * scale < 2 ** 53) {
      const keys = this.keys;
      for (let j = 0; j < m; j++) keys[j] = offs[order[j]!]! * scale + order[j]!;
      keys.subarray(0, m).sort();
      for (let j = 0; j < m; j++) order[j] = keys[j]! % scale;
    } else order.subarray(0, m).sort((a, b) => logs[a]! - logs[b]! || offs[a]! - offs[b]! || a - b);
  }

  /**
   * Read the lines of order[j0, j1) (one log, close together) in one read, `tail` bytes past the
   * last one's start, and take their objects. Returns j1, or the first whose line the read cut
   * (it and the ones after it are to be read again).
   */
  private readRange(events: Uint32Array, j0: number, j1: number, tail: number): number {
    const { offs, order } = this;
    const first = order[j0]!, last = order[j1 - 1]!;
    const base = offs[first]!;
    const want = (tail === TAIL && this.ends[last]! >= 0 ? this.ends[last]! : offs[last]! + tail) - base;
    const got = this.logText.readRaw(this.logs[first]!, this.range, base, want);
    this.reads++;
    if (got <= 0) return j1;
    this.bytesRead += got;
    for (let j = j0; j < j1; j++) {
      const k = order[j]!, e = events[k]!;
      if (!this.take(k, e, offs[k]! - base, this.fw.chunk(e).bodyAt[e & ROW_MASK]!, got, got === want)) return j;
    }
    return j1;
  }

  /**
   * Event e's object (k in the batch), its text from its line at range[pos], the body from `at`,
   * the range read up to `lim`. The text as LogText.bodySpan and FirewallBytes take it: the line
   * without its newline and a CR before it, from `at`, spaces trimmed, JSON-quoted with `"` and
   * `\` escaped. The line's end is found by a read-only pass that also checks every byte is
   * printable ASCII (scan); its text is then copied natively, or byte by byte where there is a
   * `"` or `\` to escape (~9 % of the benchmark's lines: ACL names, users). Anything else is
   * left to LogText (start -1). (No newline before `at`: the reader found the body there in this line.)
   * False when the line went on past `lim` and more could be read (`more`): then nothing is taken.
   */
  private take(k: number, e: number, pos: number, at: number, lim: number, more: boolean): boolean {
    const src = this.range;
    let j = pos + at;
    const known = this.ends[k]!;
    if (known >= 0) {
      let end = pos + (known - this.offs[k]!);
      // (cut by the end of the read: read again)
      if (end > lim) return !more;
      if (end - pos <= MAX_LINE && j <= end) {
        if (end > j && src[end - 1] === 13) end--;
        return this.put(k, e, j, end, this.escaped[k]!);
      }
    }
    const stop = Math.min(lim, pos + MAX_LINE);
    const cut = more && stop === lim && lim < pos + MAX_LINE;
    if (j >= stop) return !cut;
    // (a body that starts after a CR at the line's end: LogText's case)
    if (at > 0 && src[j - 1] === 13 && src[j] === 10) return true;
    let end = this.scan(j, stop);
    // (the end of the read before the end of the line: read again, or longer than MAX_LINE)
    if (end >= stop) return !cut;
    let cls = this.cls;
    if (end > j && src[end - 1] === 13) {
      end--;
      cls = 0;
      for (let q = j; q < end; q++) cls |= CLASS[src[q]!]!;
    }
    if (cls & NOT_PRINTABLE) return true;
    return this.put(k, e, j, end, cls);
  }

  /** Event e's object (k in the batch) with its body written from the columns. */
  private render(k: number, e: number): void {
    const body = this.body!, c = this.fw.chunk(e), r = e & ROW_MASK;
    this.rendered++;
    const room = HEAD_MAX + body.bound(c, r) + 2 + this.events.tailLength(e);
    if (this.used + room > this.json.length) this.grow(room);
    const b = this.json;
    let p = this.events.head(b, this.used, e);
    b[p++] = 34; // "
    p = body.put(b, p, c, r);
    b[p++] = 34;
    p = this.events.putTail(b, p, e);
    this.start[k] = this.used;
    this.end[k] = p;
    this.used = p;
  }

  /** Event e's object (k in the batch) with range[j, end) as its text, spaces trimmed; `cls` ESCAPED: it has a `"` or `\` */
  private put(k: number, e: number, j: number, end: number, cls: number): boolean {
    const src = this.range;
    while (j < end && src[j] === 32) j++;
    while (end > j && src[end - 1] === 32) end--;
    const room = HEAD_MAX + (cls & ESCAPED ? 2 : 1) * (end - j) + 2 + this.events.tailLength(e);
    if (this.used + room > this.json.length) this.grow(room);
    const b = this.json;
    let p = this.events.head(b, this.used, e);
    b[p++] = 34; // "
    if (cls & ESCAPED) {
      for (; j < end; j++) {
        const ch = src[j]!;
        if (ch === 34 || ch === 92) b[p++] = 92;
        b[p++] = ch;
      }
    } else {
      // (a native copy: most lines have nothing to escape)
      b.copyWithin(p, j, end);
      p += end - j;
    }
    b[p++] = 34;
    p = this.events.putTail(b, p, e);
    this.start[k] = this.used;
    this.end[k] = p;
    this.used = p;
    return true;
  }

  /**
   * The first newline in range[j, stop) (stop: none), the classes of the bytes before it OR-ed in
   * `cls`. A word at a time: only a word with a byte below 0x20 or above 0x7e, a `"` or a `\\`
   * (the newline among them) is looked into byte by byte (the byte tests of "Bit Twiddling
   * Hacks": exact for "any byte of the word"; a false alarm only costs the look). 2.3x faster than
   * byte by byte, on most of the bytes the lines are made of.
   */
  private scan(j: number, stop: number): number {
    const src = this.range, words = this.words;
    let cls = 0, q = j;
    for (; q < stop && (q & 3) !== 0; q++) {
      const ch = src[q]!;
      if (ch === 10) return this.done(cls, q);
      cls |= CLASS[ch]!;
    }
    let w = q >> 2;
    for (const wEnd = stop >> 2; w < wEnd; w++) {
      const x = words[w]!;
      const dq = x ^ 0x22222222, bs = x ^ 0x5c5c5c5c;
      if ((((x - 0x20202020) & ~x) | (x + 0x01010101) | x | ((dq - 0x01010101) & ~dq) | ((bs - 0x01010101) & ~bs)) & 0x80808080) {
        for (let b = w << 2; b < (w << 2) + 4; b++) {
          const ch = src[b]!;
          if (ch === 10) return this.done(cls, b);
          cls |= CLASS[ch]!;
        }
      }
    }
    for (q = Math.max(q, w << 2); q < stop; q++) {
      const ch = src[q]!;
      if (ch === 10) return this.done(cls, q);
      cls |= CLASS[ch]!;
    }
    return this.done(cls, stop);
  }

  /** (scan's result: the classes in `cls`, the end returned) */
  private cls = 0;
  private done(cls: number, end: number): number {
    this.cls = cls;
    return end;
  }

  private grow(n: number): void {
    // (the range read too: the lines after the one taken now are still to be taken)
    const t = new Uint8Array(Math.max(2 * this.json.length, this.used + n));
    t.set(this.json.subarray(0, this.used));
    this.json = t;
    this.range = t.subarray(0, MAX_RANGE);
    this.words = new Int32Array(t.buffer, 0, MAX_RANGE / 4);
  }

  /** Room for n events. */
  private size(n: number): void {
    if (this.start.length >= n) return;
    const c = Math.max(n, 2 * this.start.length, 1024);
    this.start = new Int32Array(c);
    this.end = new Int32Array(c);
    this.offs = new Float64Array(c);
    this.logs = new Int32Array(c);
    this.order = new Uint32Array(c);
    this.keys = new Float64Array(c);
    this.ends = new Float64Array(c);
    this.escaped = new Uint8Array(c);
  }
}
