/**
 * What fills event chunks (fw-chunk.ts): a reader's pool of strings and the writer that hands each
 * full chunk on, from the string path's fields (add) or in place from the byte readers' (next,
 * take); a log worker's writer goes on over all the ranges it reads (restart).
 */
import { FW_KINDS, type AsaFields, type FwEndpoint } from './asa.js';
import { VENDORS } from './syslog-envelope.js';
import { grownColumn, type Column } from '../flows/memory.js';
import { indexChunk } from './fw-chunk-index.js';
import { A_DMAP, A_DST, A_SMAP, A_SRC, CHUNK_ROWS, MAX_KEPT, MAX_OFF_SPAN, S_ACL, S_DIF, S_HOST, S_IFACE, S_REASON, S_RFROM, S_SIF,
  STR_SLOTS, newChunk, putU32, v4Number, type FwChunk, type LineFacts } from './fw-chunk.js';

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

/**
 * Fills chunks with events and hands each full one to `emit`. One per reader of one log file: a
 * range's, or a log worker's over all the ranges it reads (restart).
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
      this.handOn(trimmed(c, this.textEnd));
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
    this.handOn(last && this.cur.n < this.rows / 2 ? trimmed(this.cur, this.textEnd) : this.cur);
    this.cur = newChunk(this.log, this.range, this.seq++, this.keepText, this.shared, this.rows);
    this.textEnd = 0;
  }

  /** Chunk c, indexed, to `emit`. */
  private handOn(c: FwChunk): void {
    c.index = indexChunk(c);
    this.emit(c, this.pool);
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
