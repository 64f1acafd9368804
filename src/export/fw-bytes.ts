/**
 * A connection's `firewall` array as the NDJSON flow line writes it, encoded as bytes straight
 * from the event columns and the log's own bytes: a plain line's message text is copied with only
 * `"` and `\` escaped. The lines of a block of connections are written after prepare(), which
 * reads their events' lines ahead in file order and encodes each event once (fw-batch.ts): the
 * array is then copies of those bytes, written straight into the line (bound, encodeInto). Other
 * events (and calls without prepare) take LogText's cached blocks. On a log-only load of millions
 * of lines this array is most of the output. Exactly JSON.stringify(firewallRecords(ds, i)) (a
 * test holds it to that).
 */
import type { FwTable } from '../flows/fw-table.js';
import type { LogText } from '../flows/log-text.js';
import { putText } from './flow-bytes.js';
import { FwEventBatch } from './fw-batch.js';
import { EventJson, HEAD_MAX } from './fw-event-json.js';
import { BodyWriter, type Hosts } from './fw-render.js';

/**
 * What the arrays are made of: the event table, each connection's events and their text. A
 * dataset is one; the flow-lines worker (flow-lines-worker.ts) makes its own from a share.
 */
export interface FirewallEvents {
  readonly fw: Pick<FwTable, 'ts' | 'msgid' | 'chunk' | 'strings'>;
  /** connection i's event indices, in time order */
  fwEvents(i: number): Uint32Array;
  readonly fwText: Pick<LogText, 'bodySpan' | 'body' | 'readRaw' | 'rereadable'>;
  /**
   * The same lists as one array, connection i's from start[i] to start[i + 1] in `events`, where
   * the caller has them (the flow-lines share): a block's lists are then one view, not a copy of
   * each connection's (a view made and copied per connection, 3.4 M of them at 10 M lines).
   */
  readonly byConn?: { readonly start: Uint32Array; readonly events: Uint32Array };
  /** the address texts: a body the byte reader vouched for is then written from its columns (fw-render.ts) */
  readonly addrs?: Hosts;
}

export class FirewallBytes {
  /** the buffer written: its own (encode), or the line's (encodeInto, `direct`: room was made by the caller) */
  private buf: Uint8Array = new Uint8Array(1 << 16);
  private own = this.buf;
  private direct = false;
  private readonly json: EventJson;
  /** connections [from, to)'s events read ahead (prepare): in `list`, connection i's from firstOf[i - from] */
  private readonly batch: FwEventBatch;
  private from = 0;
  private to = 0;
  private firstOf = new Uint32Array(1);
  private list: Uint32Array = new Uint32Array(0);
  private ownList = this.list;

  constructor(private readonly ds: FirewallEvents) {
    this.json = new EventJson(ds.fw);
    this.batch = new FwEventBatch(ds.fw, ds.fwText, this.json, ds.addrs ? new BodyWriter(ds.fw.strings, ds.addrs) : undefined);
  }

  /** Read connections [from, to)'s events ahead, in file order, for the encode calls that follow. */
  prepare(from: number, to: number): void {
    const ds = this.ds;
    if (this.firstOf.length < to - from + 1) this.firstOf = new Uint32Array(to - from + 1);
    this.from = from;
    this.to = to;
    const by = ds.byConn;
    if (by) {
      const s0 = by.start[from]!;
      for (let i = from; i <= to; i++) this.firstOf[i - from] = by.start[i]! - s0;
      this.list = by.events.subarray(s0, by.start[to]!);
      this.batch.load(this.list, this.list.length);
      return;
    }
    // (the lists copied one after the other, into an array of this object's own)
    if (this.list !== this.ownList) this.list = this.ownList;
    let n = 0;
    for (let i = from; i < to; i++) {
      const evs = ds.fwEvents(i);
      this.firstOf[i - from] = n;
      if (n + evs.length > this.list.length) {
        const l = new Uint32Array(Math.max(2 * this.list.length, n + evs.length, 1024));
        l.set(this.list.subarray(0, n));
        this.list = this.ownList = l;
      }
      this.list.set(evs, n);
      n += evs.length;
    }
    this.firstOf[to - from] = n;
    this.batch.load(this.list, n);
  }

  /** reads and bytes the read-ahead took, for reports */
  get reads(): { reads: number; bytes: number; rendered: number } {
    return { reads: this.batch.reads, bytes: this.batch.bytesRead, rendered: this.batch.rendered };
  }

  /**
   * The bytes connection i's array takes when every event of it was read ahead (prepare): then it
   * can be written straight into the line (encodeInto). -1 otherwise.
   */
  bound(i: number): number {
    if (i < this.from || i >= this.to) return -1;
    const { start, end } = this.batch;
    const k0 = this.firstOf[i - this.from]!, k1 = this.firstOf[i + 1 - this.from]!;
    let n = 1 + Math.max(k1 - k0, 1);
    for (let k = k0; k < k1; k++) {
      if (start[k]! < 0) return -1;
      n += end[k]! - start[k]!;
    }
    return n;
  }

  /**
   * Each of connection i's events as its JSON object's text, when every one was read ahead
   * (prepare), else undefined. (Printable ASCII: one character a byte.) For the CSV cell, which
   * joins them with `;`.
   */
  eventTexts(i: number): string[] | undefined {
    if (this.bound(i) < 0) return undefined;
    const { start, end, json } = this.batch;
    const k0 = this.firstOf[i - this.from]!, k1 = this.firstOf[i + 1 - this.from]!;
    const buf = Buffer.from(json.buffer, json.byteOffset, json.length);
    const out: string[] = [];
    for (let k = k0; k < k1; k++) out.push(buf.toString('latin1', start[k]!, end[k]!));
    return out;
  }

  /** Connection i's array into `b` from p, where bound(i) bytes are free; returns where it ends. */
  encodeInto(b: Uint8Array, p: number, i: number): number {
    this.buf = b;
    this.direct = true;
    try {
      return this.encodeAt(p, i);
    } finally {
      this.buf = this.own;
      this.direct = false;
    }
  }

  /** Connection i's array, bytes [0, returned length) of `bytes`. */
  encode(i: number): number {
    const end = this.encodeAt(0, i);
    this.own = this.buf;
    return end;
  }

  get bytes(): Uint8Array {
    return this.own;
  }

  /** Room for n more bytes at p. */
  private room(p: number, n: number): void {
    if (this.direct || p + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, p + n + 1024));
    b.set(this.buf.subarray(0, p));
    this.buf = b;
  }

  private encodeAt(p: number, i: number): number {
    const inBatch = i >= this.from && i < this.to;
    // (in the batch: connection i's events are list[k0, k0 + n), no view made for them)
    const evs = inBatch ? this.list : this.ds.fwEvents(i);
    const k0 = inBatch ? this.firstOf[i - this.from]! : 0;
    const n = inBatch ? this.firstOf[i + 1 - this.from]! - k0 : evs.length;
    const { start, end, json } = this.batch;
    this.room(p, 2);
    this.buf[p++] = 91; // [
    for (let k = 0; k < n; k++) {
      const t = inBatch ? start[k0 + k]! : -1;
      if (t >= 0) {
        // (read ahead: a native copy of its bytes)
        const u = end[k0 + k]!;
        this.room(p, u - t + 1);
        if (k) this.buf[p++] = 44;
        this.buf.set(json.subarray(t, u), p);
        p += u - t;
      } else {
        this.room(p, 1);
        if (k) this.buf[p++] = 44;
        p = this.event(p, evs[k0 + k]!);
      }
    }
    this.room(p, 1);
    this.buf[p++] = 93; // ]
    return p;
  }

  /** Event e's object, its text from LogText. */
  private event(p: number, e: number): number {
    const text = this.ds.fwText;
    this.room(p, HEAD_MAX);
    p = this.json.head(this.buf, p, e);
    const span = text.bodySpan(e);
    let done = false;
    if (span) {
      const { buf: src, start, end } = span;
      this.room(p, 2 * (end - start) + 2);
      const b = this.buf;
      const p0 = p;
      b[p++] = 34;
      let plain = true;
      for (let j = start; j < end; j++) {
        const ch = src[j]!;
        if (ch < 0x20 || ch > 0x7e) {
          plain = false;
          break;
        }
        if (ch === 34 || ch === 92) b[p++] = 92;
        b[p++] = ch;
      }
      if (plain) {
        b[p++] = 34;
        done = true;
      } else p = p0;
    }
    if (!done) {
      const s = JSON.stringify(text.body(e));
      this.room(p, 3 * s.length);
      p = putText(this.buf, p, s);
    }
    this.room(p, this.json.tailLength(e));
    return this.json.putTail(this.buf, p, e);
  }
}
