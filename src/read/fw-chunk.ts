/**
 * The columns one reader fills with firewall events, whatever the vendor: a chunk of up to 64 Ki
 * events in typed arrays, handed to the event table (src/flows/fw-table.ts) whole, across threads
 * without a copy (its buffers are transferred). Addresses are raw here (IPv4 as a number, IPv6 as
 * text in `v6`): the table's thread turns them into address-table ids. Strings (interfaces,
 * reasons, ACL and device names) are ids into the reader's own pool (`StringPool`).
 */
import { FW_KINDS, type AsaFields, type FwEndpoint } from './asa.js';
import { VENDORS, type Vendor } from './syslog-envelope.js';
import { grownColumn, type Column, type View } from '../flows/memory.js';
import { indexChunk, type ChunkIndex } from './fw-chunk-index.js';
import { CHUNK_TEXT_BYTES, chunkRoom } from './fw-chunk-arena.js';

export const CHUNK_ROWS = 1 << 16;
/** longest line kept whole when the log cannot be read again (the text arena is 1 MiB a chunk) */
const MAX_KEPT = 64 * 1024;

/** address / port slots (4 a row) */
export const A_SRC = 0;
export const A_DST = 1;
export const A_SMAP = 2;
export const A_DMAP = 3;
/** string slots (STR_SLOTS a row) */
export const S_SIF = 0;
export const S_DIF = 1;
export const S_IFACE = 2;
export const S_REASON = 3;
export const S_RFROM = 4;
export const S_ACL = 5;
export const S_HOST = 6;
export const STR_SLOTS = 7;
/** bit positions in `bits` */
export const B_SEV = 0; // 3 bits
export const B_TSSRC = 3; // 2 bits: none, firewall, relay
export const B_DIR = 5; // 2 bits: none, inbound, outbound
export const B_PROTO = 7; // 2 bits: other, tcp, udp, icmp
export const B_ACL = 9; // 2 bits: none, permitted, denied, est-allowed
/**
 * 2 bits: what the byte reader (asa-bytes.ts) knows of the body's bytes, from where it starts to
 * the line's end: nothing (0: the string path's rows, other vendors'), printable ASCII (TEXT_PLAIN),
 * printable ASCII with a `"` or `\` in it (TEXT_ESC). The flow lines' writer copies such a body into
 * JSON without looking at its bytes again (fw-batch.ts).
 */
export const B_TEXT = 11;
export const TEXT_PLAIN = 1 << B_TEXT;
export const TEXT_ESC = 2 << B_TEXT;
/**
 * TEXT_PLAIN, and more: the body is exactly what its columns write again (export/fw-render.ts), so
 * the flow lines write it without reading the log. A 302014/302016 Teardown in its plain form (no
 * Probe, no mapped part, numbers as they would be written, one space before the reason).
 */
export const TEXT_CANON = 3 << B_TEXT;

export interface FwChunk {
  /** log file (index in the load's logs), range of that file a reader took, chunk number in it */
  log: number;
  range: number;
  seq: number;
  n: number;
  ts: Float64Array;
  /**
   * firewall connection id (read it with connIdAt: NaN when none): 32 bits, not a float64, as
   * every vendor's ids are; U32_NONE for none, U32_BIG for one that does not fit (in `big`)
   */
  cid: Uint32Array;
  /** bytes the firewall counted (bytesAt: NaN when none), as `cid` */
  nbytes: Uint32Array;
  /** duration (s) the firewall counted, NaN when none */
  duration: Float32Array;
  /**
   * byte offset of the line (read it with offAt): offBase + lineOff in the (decompressed) log, or
   * lineOff in `text` when the chunk carries it (offBase 0). A chunk's lines lie within 4 GiB of
   * its first (ChunkWriter ends a chunk early where they would not).
   */
  lineOff: Uint32Array;
  offBase: number;
  /** values of `cid` (key 2 * row) and `nbytes` (key 2 * row + 1) that do not fit in 32 bits; absent while none */
  big?: Map<number, number>;
  /** 1-based line number (within the reader's range until the table fixes it) */
  line: Uint32Array;
  /** where the message body starts within the line (0xffff: find it again) */
  bodyAt: Uint16Array;
  msgid: Uint32Array;
  addr: Uint32Array;
  port: Uint16Array;
  /** bits 0-3: address slot present; 4-7: that address is IPv6; 8-11: port slot present */
  amask: Uint16Array;
  str: Uint16Array;
  kind: Uint8Array;
  /** TCP flags of a denied packet */
  flags: Uint8Array;
  vendor: Uint8Array;
  bits: Uint16Array;
  /** IPv6 address texts the addr column points into (emptied by the table) */
  v6: string[];
  /** the lines themselves, for logs that cannot be read again (stdin, gzip): `lineOff` points here */
  text?: Uint8Array;
  /** what the matching asks of every row, made by the thread that filled the chunk (fw-chunk-index.ts) */
  index?: ChunkIndex;
}

/** `cid` / `nbytes`: none, and a value kept in the chunk's `big` map */
export const U32_NONE = 0xffffffff;
export const U32_BIG = 0xfffffffe;
/** the largest span of a chunk's line offsets (lineOff is 32 bits) */
const MAX_OFF_SPAN = 0xffffffff;

/** Put v (NaN: none) in row r of `cid` (key 0) or `nbytes` (key 1). */
export function putU32(c: FwChunk, col: Uint32Array, key: 0 | 1, r: number, v: number): void {
  if (v >= 0 && v < U32_BIG && Number.isInteger(v)) col[r] = v;
  else if (Number.isNaN(v)) col[r] = U32_NONE;
  else {
    col[r] = U32_BIG;
    (c.big ??= new Map()).set(2 * r + key, v);
  }
}

const u32At = (c: FwChunk, v: number, key: number): number => (v < U32_BIG ? v : v === U32_NONE ? NaN : c.big!.get(key)!);
/** The firewall connection id of row r, NaN when none. */
export const connIdAt = (c: FwChunk, r: number): number => u32At(c, c.cid[r]!, 2 * r);
/** The bytes the firewall counted of row r, NaN when none. */
export const bytesAt = (c: FwChunk, r: number): number => u32At(c, c.nbytes[r]!, 2 * r + 1);
/** Where row r's line starts: in the log (or in the chunk's `text` when it carries its lines). */
export const offAt = (c: FwChunk, r: number): number => c.offBase + c.lineOff[r]!;

/**
 * A chunk's columns, in shared memory when it is filled in a worker: posted, the main thread gets
 * the same memory without a copy, and nothing is detached (a transfer detaches the sender's
 * buffers, which makes V8 check every typed-array access in that thread from then on). A full
 * chunk's columns are views into an arena (fw-chunk-arena.ts); a smaller one's (the live engine's) each its own.
 */
export function newChunk(log: number, range: number, seq: number, keepText: boolean, shared = false, rows = CHUNK_ROWS): FwChunk {
  const n = rows;
  const room = rows === CHUNK_ROWS ? chunkRoom(rows, shared, keepText) : undefined;
  let at = room?.at ?? 0;
  const mk = <T>(Type: View<T>, bytes: number): T => {
    const length = bytes / Type.BYTES_PER_ELEMENT;
    if (room === undefined) return new Type(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes), 0, length);
    const view = new Type(room.buffer, at, length);
    at += (bytes + 7) & ~7;
    return view;
  };
  const c: FwChunk = {
    log, range, seq, n: 0,
    ts: mk(Float64Array, 8 * n), cid: mk(Uint32Array, 4 * n), nbytes: mk(Uint32Array, 4 * n), duration: mk(Float32Array, 4 * n),
    lineOff: mk(Uint32Array, 4 * n), offBase: 0, line: mk(Uint32Array, 4 * n), bodyAt: mk(Uint16Array, 2 * n), msgid: mk(Uint32Array, 4 * n),
    addr: mk(Uint32Array, 16 * n), port: mk(Uint16Array, 8 * n), amask: mk(Uint16Array, 2 * n), str: mk(Uint16Array, 2 * STR_SLOTS * n),
    kind: mk(Uint8Array, n), flags: mk(Uint8Array, n), vendor: mk(Uint8Array, n), bits: mk(Uint16Array, 2 * n), v6: [],
  };
  // (smaller chunks, the live engine's, take a smaller arena: still room for the longest line)
  if (keepText) c.text = mk(Uint8Array, rows === CHUNK_ROWS ? CHUNK_TEXT_BYTES : Math.max(2 * MAX_KEPT, rows * 256));
  // (a column added above without CHUNK_ROW_BYTES growing would take the next chunk's room)
  if (room && at > room.at + room.bytes) throw new Error(`fw-chunk: a chunk's columns take ${at - room.at} bytes, its room ${room.bytes} (CHUNK_ROW_BYTES)`);
  return c;
}

/**
 * A string a byte reader found by its bytes (byte-strings.ts ByteValues keeps one per distinct
 * run), with its id in the pool that last took it: a row of the byte path pools its strings
 * without comparing or hashing them again, line after line.
 */
export class Pooled {
  pool: StringPool | null = null;
  id = 0;
  constructor(readonly s: string) {}
}

/** A reader's strings: ids handed out in order; `fresh` gives those added since its last call. */
export class StringPool {
  readonly all: string[] = [''];
  private readonly ids = new Map<string, number>([['', 0]]);
  // (the same few strings come again and again: interface names, reasons, the device)
  private readonly lastS: string[] = new Array<string>(STR_SLOTS).fill('');
  private readonly lastId = new Uint16Array(STR_SLOTS);
  /** Id of s; `slot` (a string slot) keeps a one-entry cache apart per column. */
  id(s: string | undefined, slot = 0): number {
    if (s === undefined || s === '') return 0;
    if (s === this.lastS[slot]) return this.lastId[slot]!;
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.all.length;
      if (id > 0xffff) return 0;
      this.all.push(s);
      this.ids.set(s, id);
    }
    this.lastS[slot] = s;
    this.lastId[slot] = id;
    return id;
  }

  /** Id of v's string, as id(v.s) (the same id, the same strings added in the same order), kept in v. */
  idOf(v: Pooled, slot: number): number {
    if (v.pool !== this) {
      v.id = this.id(v.s, slot);
      v.pool = this;
    }
    return v.id;
  }
}

const KIND_INDEX = new Map<string, number>(FW_KINDS.map((k, i) => [k, i]));
/** A kind's number in the `kind` column. */
const TS_SOURCE = { none: 0, firewall: 1, relay: 2 } as const;
const PROTO_INDEX: Readonly<Record<string, number>> = { tcp: 1, udp: 2, icmp: 3, icmp6: 3, ipv6_icmp: 3 };
const ACL_INDEX: Readonly<Record<string, number>> = { permitted: 1, denied: 2, 'est-allowed': 3 };
const VENDOR_INDEX = new Map<string, number>(VENDORS.map((v, i) => [v, i]));

/** IPv4 dotted quad -> unsigned number, or -1 (anything else: IPv6 or not an address). */
export function v4Number(s: string): number {
  let v = 0, part = 0, digits = 0, dots = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      v = v * 256 + part;
      part = 0;
      digits = 0;
    } else if (ch >= 48 && ch <= 57) {
      part = part * 10 + (ch - 48);
      if (++digits > 3 || part > 255) return -1;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return v * 256 + part;
}

/** What the reader knows of a line besides the message's own fields. */
export interface LineFacts {
  ts: number;
  tsSource: 'firewall' | 'relay' | 'none';
  msgid: number;
  severity: number;
  vendor: Vendor;
  host: string | undefined;
  line: number;
  off: number;
  bodyAt: number;
}

/**
 * Fills chunks with events and hands each full one to `emit`. One per range of one log file.
 */
export class ChunkWriter {
  private cur: FwChunk;
  private seq = 0;
  constructor(
    private readonly log: number,
    private range: number,
    private readonly keepText: boolean,
    private readonly emit: (c: FwChunk, pool: StringPool) => void,
    private readonly shared = false,
    /** rows a chunk (the live engine shows each chunk while it fills, and takes small ones) */
    private readonly rows = CHUNK_ROWS,
    /** the reader's strings (a log worker keeps one pool over the ranges it reads) */
    readonly pool = new StringPool(),
  ) {
    this.cur = newChunk(log, range, this.seq++, keepText, shared, rows);
  }

  /** The chunk being filled (the last row added is its row n - 1). */
  get current(): FwChunk {
    return this.cur;
  }

  private endpoint(c: FwChunk, r: number, ep: FwEndpoint | undefined, slot: number, mapSlot: number, ifSlot: number): void {
    if (!ep) return;
    this.address(c, r, ep.addr, ep.port, slot);
    if (ep.mappedAddr !== undefined && (ep.mappedAddr !== ep.addr || (ep.mappedPort ?? ep.port) !== ep.port)) {
      this.address(c, r, ep.mappedAddr, ep.mappedPort ?? ep.port, mapSlot);
    }
    c.str[r * STR_SLOTS + ifSlot] = this.pool.id(ep.iface, ifSlot);
  }

  private address(c: FwChunk, r: number, text: string, port: number | undefined, slot: number): void {
    const v4 = v4Number(text);
    let mask = c.amask[r]! | (1 << slot);
    if (v4 >= 0) c.addr[r * 4 + slot] = v4;
    else {
      c.addr[r * 4 + slot] = c.v6.length;
      c.v6.push(text);
      mask |= 0x10 << slot;
    }
    if (port !== undefined && Number.isFinite(port)) {
      c.port[r * 4 + slot] = port;
      mask |= 0x100 << slot;
    }
    c.amask[r] = mask;
  }

  add(f: LineFacts, e: AsaFields, raw?: string): void {
    let c = this.cur;
    // (a line kept as text takes one byte a character: see below)
    if (raw !== undefined && raw.length > MAX_KEPT) raw = raw.slice(0, MAX_KEPT);
    if (c.n === this.rows || (c.text && raw !== undefined && c.n > 0 && this.textEnd + raw.length + 1 > c.text.length) ||
      (!c.text && c.n > 0 && f.off - c.offBase > MAX_OFF_SPAN)) {
      this.flush();
      c = this.cur;
    }
    const r = c.n++;
    this.fresh(c, r);
    c.ts[r] = f.ts;
    c.msgid[r] = f.msgid;
    c.line[r] = f.line;
    c.bodyAt[r] = f.bodyAt;
    c.vendor[r] = VENDOR_INDEX.get(f.vendor) ?? 0;
    c.kind[r] = KIND_INDEX.get(e.kind) ?? KIND_INDEX.get('other')!;
    putU32(c, c.cid, 0, r, e.connId ?? NaN);
    putU32(c, c.nbytes, 1, r, e.bytes ?? NaN);
    c.duration[r] = e.duration ?? NaN;
    c.flags[r] = e.tcpFlags ?? 0;
    c.bits[r] = (f.severity & 7) | (TS_SOURCE[f.tsSource] << 3) | ((e.direction === 'inbound' || e.initiator === 'src' ? 1 : e.direction === 'outbound' || e.initiator === 'dst' ? 2 : 0) << 5) |
      ((PROTO_INDEX[e.proto ?? ''] ?? 0) << 7) | ((ACL_INDEX[e.aclAction ?? ''] ?? 0) << 9);
    c.amask[r] = 0;
    this.endpoint(c, r, e.src, A_SRC, A_SMAP, S_SIF);
    this.endpoint(c, r, e.dst, A_DST, A_DMAP, S_DIF);
    const s = r * STR_SLOTS;
    c.str[s + S_IFACE] = this.pool.id(e.iface, S_IFACE);
    c.str[s + S_REASON] = this.pool.id(e.reason, S_REASON);
    c.str[s + S_RFROM] = this.pool.id(e.reasonFrom, S_RFROM);
    c.str[s + S_ACL] = this.pool.id(e.acl, S_ACL);
    c.str[s + S_HOST] = this.pool.id(f.host, S_HOST);
    if (c.text && raw !== undefined) {
      const at = this.textEnd;
      // (raw is the line's bytes read as latin1: written back as latin1 they are the bytes again)
      this.textEnd = at + Buffer.from(c.text.buffer, c.text.byteOffset + at, c.text.length - at).write(raw, 'latin1');
      c.text[this.textEnd++] = 10;
      c.lineOff[r] = at;
    } else {
      if (r === 0) c.offBase = f.off;
      c.lineOff[r] = f.off - c.offBase;
    }
  }

  /** Row r is written afresh: no value of a row written there before (a line the byte path refused) stays in `big`. */
  private fresh(c: FwChunk, r: number): void {
    if (c.big === undefined) return;
    c.big.delete(2 * r);
    c.big.delete(2 * r + 1);
  }
  private textEnd = 0;

  /**
   * The chunk the byte readers (asa-bytes.ts) write their next row, the line at `off`, into, in
   * place: its row `n`, its offset already written (a full chunk is handed on first). The row counts once take() is called; a line the byte
   * reader then refuses leaves it to be written over. (Not for chunks that keep their lines' text:
   * the byte readers read files, which are read again by offset.)
   */
  next(off: number): FwChunk {
    let c = this.cur;
    if (c.n === this.rows || (c.n > 0 && off - c.offBase > MAX_OFF_SPAN)) {
      this.flush();
      c = this.cur;
    }
    if (c.n === 0) c.offBase = off;
    this.fresh(c, c.n);
    c.lineOff[c.n] = off - c.offBase;
    return c;
  }

  /**
   * Row n of the current chunk, written in place after next(), is an event: its strings (per
   * string slot, undefined: none) pooled in slot order, as add() pools them, so the ids come out
   * the same whichever path met a string first.
   */
  take(strs: readonly (Pooled | undefined)[]): void {
    const c = this.cur;
    const s = c.n++ * STR_SLOTS;
    for (let k = 0; k < STR_SLOTS; k++) {
      const v = strs[k];
      c.str[s + k] = v === undefined ? 0 : this.pool.idOf(v, k);
    }
  }

  /**
   * Go on with another range of the file (a log worker reads several, fw-load.ts): the current
   * chunk is handed on as its range's last, cut to its rows unless full, and its room is filled
   * again for the new range, its rows cleared. (A room left behind in its chunk arena stayed there
   * as long as the arena's other chunks: ~5 MB a range.)
   */
  restart(range: number): void {
    this.range = range;
    this.seq = 0;
    const c = this.cur, n = c.n;
    if (n === this.rows) {
      this.flush();
      return;
    }
    if (n > 0) {
      const t = trimmed(c, this.textEnd);
      t.index = indexChunk(t);
      this.emit(t, this.pool);
      clearRows(c, n);
    }
    c.n = 0;
    c.range = range;
    c.seq = this.seq++;
    c.offBase = 0;
    c.big = undefined;
    c.index = undefined;
    c.v6 = [];
    this.textEnd = 0;
  }

  /**
   * Hand the current chunk on (none when empty). `last`: the reader is done, and a chunk less than
   * half full is handed on in arrays of its size (a chunk's columns take ~5 MB whatever it holds:
   * a small log's only chunk, a large one's last).
   */
  flush(last = false): void {
    if (this.cur.n === 0) return;
    const c = last && this.cur.n < this.rows / 2 ? trimmed(this.cur, this.textEnd) : this.cur;
    c.index = indexChunk(c);
    this.emit(c, this.pool);
    this.cur = newChunk(this.log, this.range, this.seq++, this.keepText, this.shared, this.rows);
    this.textEnd = 0;
  }
}

/** The first n of a column, in shared memory when the column is (a worker's chunk stays shareable). */
const cut = <T extends Column>(a: T, n: number): T => (a.buffer instanceof SharedArrayBuffer ? grownColumn(a, n) : (a.slice(0, n) as T));

/** Rows [0, n) of chunk c as a new chunk's are: zeros (a row does not write every column: add() leaves absent endpoints' strings). */
function clearRows(c: FwChunk, n: number): void {
  for (const col of [c.ts, c.cid, c.nbytes, c.duration, c.lineOff, c.line, c.bodyAt, c.msgid, c.amask, c.kind, c.flags, c.vendor, c.bits]) col.fill(0, 0, n);
  c.addr.fill(0, 0, 4 * n);
  c.port.fill(0, 0, 4 * n);
  c.str.fill(0, 0, STR_SLOTS * n);
  if (c.text) c.text.fill(0);
}

/** A copy of chunk c with its columns cut to its rows (and its kept text to what it holds). */
function trimmed(c: FwChunk, textEnd: number): FwChunk {
  const n = c.n;
  const t: FwChunk = {
    ...c,
    ts: cut(c.ts, n), cid: cut(c.cid, n), nbytes: cut(c.nbytes, n), duration: cut(c.duration, n),
    lineOff: cut(c.lineOff, n), line: cut(c.line, n), bodyAt: cut(c.bodyAt, n), msgid: cut(c.msgid, n),
    addr: cut(c.addr, 4 * n), port: cut(c.port, 4 * n), amask: cut(c.amask, n), str: cut(c.str, STR_SLOTS * n),
    kind: cut(c.kind, n), flags: cut(c.flags, n), vendor: cut(c.vendor, n), bits: cut(c.bits, n),
  };
  if (c.text) t.text = c.text.slice(0, textEnd);
  return t;
}
