/**
 * The columns one reader fills with firewall events, whatever the vendor: a chunk of up to 64 Ki
 * events in typed arrays, handed to the event table (src/flows/fw-table.ts) whole, across threads
 * without a copy (its buffers are transferred). Addresses are raw here (IPv4 as a number, IPv6 as
 * text in `v6`): the table's thread turns them into address-table ids. Strings (interfaces,
 * reasons, ACL and device names) are ids into the reader's own pool (`StringPool`). The writer
 * that fills chunks is fw-chunk-writer.ts.
 */
import type { Vendor } from './syslog-envelope.js';
import type { View } from '../flows/memory.js';
import type { ChunkIndex } from './fw-chunk-index.js';
import { CHUNK_TEXT_BYTES, chunkRoom } from './fw-chunk-arena.js';

export const CHUNK_ROWS = 1 << 16;
/** longest line kept whole when the log cannot be read again (the text arena is 1 MiB a chunk) */
export const MAX_KEPT = 64 * 1024;

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
export const MAX_OFF_SPAN = 0xffffffff;

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

