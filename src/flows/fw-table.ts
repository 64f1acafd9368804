/**
 * Firewall events in columns (issue 15): a day of a busy firewall's log is tens of millions of
 * lines, so an event is a row of typed arrays, not an object, and its text is read back from the
 * log file when a view needs it (log-text.ts), as packet bytes are from the captures.
 *
 * Events are stored in chunks of up to 64 Ki rows, each chunk the very buffers a reader filled
 * (in a worker or on the main thread; see fw-chunk.ts), so that a chunk moves between threads
 * without a copy. Event index e = chunk << 16 | row. After `seal`, chunks are in log order (log
 * file by file, lines in file order), whatever order the readers finished them in.
 */
import { isCisco, VENDORS, type Vendor } from '../read/syslog-envelope.js';
import { FW_KINDS, type FwEndpoint, type FwEvent } from '../read/asa.js';
import type { AddrTable } from './addr-table.js';
import type { LogSource } from './fw-load.js';
import {
  A_DST, A_DMAP, A_SRC, A_SMAP, B_ACL, B_DIR, B_PROTO, B_SEV, B_TSSRC, S_ACL, S_DIF, S_HOST, S_IFACE, S_REASON, S_RFROM, S_SIF,
  STR_SLOTS, bytesAt, connIdAt, type FwChunk,
} from '../read/fw-chunk.js';
import { flagWords } from '../read/fw-flags.js';

export const CHUNK_BITS = 16;

/** An event as an object (FwTable.event), with its index in the table. */
export type FwEventView = FwEvent & { index?: number };
const ROW_MASK = (1 << CHUNK_BITS) - 1;

const PROTOS = [undefined, 'tcp', 'udp', 'icmp'] as const;
const ACL_ACTIONS = [undefined, 'permitted', 'denied', 'est-allowed'] as const;
const TS_SOURCES = ['none', 'firewall', 'relay'] as const;

/** IPv4 addresses whose index slots append reads ahead at once (AddrTable.warmV4) */
const WARM = 256;

export class FwTable {
  readonly chunks: FwChunk[] = [];
  /** strings the events name (interfaces, reasons, ACLs, devices); id 0 is "none" */
  readonly strings: string[] = [''];
  private readonly ids = new Map<string, number>([['', 0]]);
  /** log file names, by FwChunk.log */
  readonly logNames: string[] = [];
  /** how each log's lines are read again (fw-load.ts) */
  readonly sources: LogSource[] = [];
  /** events in all chunks */
  count = 0;

  /** places of the IPv4 addresses append looks up next, and what warming their slots read (kept only so that the reads are) */
  private readonly warm = new Int32Array(WARM);
  private warmed = 0;

  /** Drop chunks (a range the loader parses again). */
  dropChunks(which: (c: FwChunk) => boolean): void {
    for (let k = this.chunks.length - 1; k >= 0; k--) {
      if (!which(this.chunks[k]!)) continue;
      this.count -= this.chunks[k]!.n;
      this.chunks.splice(k, 1);
    }
  }

  /** Add `by` to the line numbers of some chunks (a later range's lines count from the file's start). */
  shiftLines(which: (c: FwChunk) => boolean, by: number): void {
    for (const c of this.chunks) if (which(c)) for (let r = 0; r < c.n; r++) c.line[r]! += by;
  }

  /** pool strings in lower case, by id, made when first asked for (see lower) */
  private readonly lowers: (string | undefined)[] = [];

  /** String `id` of the pool in lower case (made once: the closing side of every Teardown compares interface names). */
  lower(id: number): string {
    return (this.lowers[id] ??= (this.strings[id] ?? '').toLowerCase());
  }

  /** Id of a string in the table's pool (ids above 65535 cannot be stored: they read as none). */
  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  /**
   * Take a chunk a reader filled: its string ids become the table's (`strings` are the reader's
   * pool, by the reader's ids) and its addresses address-table ids.
   */
  append(chunk: FwChunk, readerStrings: readonly string[], addrs: AddrTable): void {
    const remap = new Uint16Array(readerStrings.length);
    for (let k = 1; k < readerStrings.length; k++) {
      const id = this.intern(readerStrings[k]!);
      remap[k] = id > 0xffff ? 0 : id;
    }
    const str = chunk.str;
    for (let k = 0; k < chunk.n * STR_SLOTS; k++) str[k] = remap[str[k]!] ?? 0;
    // (the IPv4 addresses a block at a time, their index slots read first: AddrTable.warmV4; an
    // IPv6 address once those before it are done, so that ids are given in the order met)
    const a = chunk.addr, m = chunk.amask, v6 = chunk.v6, at = this.warm;
    let n = 0;
    const flush = (): void => {
      this.warmed ^= addrs.warmV4(a, at, n);
      for (let k = 0; k < n; k++) a[at[k]!] = addrs.v4IdOf(a[at[k]!]!);
      n = 0;
    };
    for (let e = 0; e < chunk.n; e++) {
      const mask = m[e]!;
      if ((mask & 0xf) === 0) continue;
      for (let s = 0; s < 4; s++) {
        if (!(mask & (1 << s))) continue;
        if (mask & (0x10 << s)) {
          flush();
          a[e * 4 + s] = addrs.idOfText(v6[a[e * 4 + s]!]!)!;
        } else {
          at[n++] = e * 4 + s;
          if (n === WARM) flush();
        }
      }
    }
    flush();
    chunk.v6 = [];
    this.chunks.push(chunk);
    this.count += chunk.n;
  }

  /** Put the chunks in log order (log, then range of the file, then sequence). Before any index is handed out. */
  seal(): void {
    this.chunks.sort((x, y) => x.log - y.log || x.range - y.range || x.seq - y.seq);
  }

  /** Call f(e) for every event index, in log order. */
  forEach(f: (e: number) => void): void {
    for (let c = 0; c < this.chunks.length; c++) {
      const n = this.chunks[c]!.n, base = c << CHUNK_BITS;
      for (let r = 0; r < n; r++) f(base | r);
    }
  }

  chunk(e: number): FwChunk { return this.chunks[e >>> CHUNK_BITS]!; }
  ts(e: number): number { return this.chunks[e >>> CHUNK_BITS]!.ts[e & ROW_MASK]!; }
  kind(e: number): number { return this.chunks[e >>> CHUNK_BITS]!.kind[e & ROW_MASK]!; }
  msgid(e: number): number { return this.chunks[e >>> CHUNK_BITS]!.msgid[e & ROW_MASK]!; }
  vendor(e: number): Vendor { return VENDORS[this.chunks[e >>> CHUNK_BITS]!.vendor[e & ROW_MASK]!] ?? 'ASA'; }
  flags(e: number): number { return this.chunks[e >>> CHUNK_BITS]!.flags[e & ROW_MASK]!; }
  connId(e: number): number { return connIdAt(this.chunks[e >>> CHUNK_BITS]!, e & ROW_MASK); }
  bits(e: number): number { return this.chunks[e >>> CHUNK_BITS]!.bits[e & ROW_MASK]!; }
  log(e: number): number { return this.chunks[e >>> CHUNK_BITS]!.log; }
  line(e: number): number { return this.chunks[e >>> CHUNK_BITS]!.line[e & ROW_MASK]!; }
  duration(e: number): number { return this.chunks[e >>> CHUNK_BITS]!.duration[e & ROW_MASK]!; }
  bytes(e: number): number { return bytesAt(this.chunks[e >>> CHUNK_BITS]!, e & ROW_MASK); }
  str(e: number, slot: number): string | undefined {
    const id = this.chunks[e >>> CHUNK_BITS]!.str[(e & ROW_MASK) * STR_SLOTS + slot]!;
    return id === 0 ? undefined : this.strings[id];
  }
  reason(e: number): string | undefined { return this.str(e, S_REASON); }
  /** address-table id of slot A_* of event e, -1 when the event names none */
  addr(e: number, slot: number): number {
    const c = this.chunks[e >>> CHUNK_BITS]!, r = e & ROW_MASK;
    return c.amask[r]! & (1 << slot) ? c.addr[r * 4 + slot]! : -1;
  }
  /** port of slot A_* of event e, -1 when the event names none */
  port(e: number, slot: number): number {
    const c = this.chunks[e >>> CHUNK_BITS]!, r = e & ROW_MASK;
    return c.amask[r]! & (0x100 << slot) ? c.port[r * 4 + slot]! : -1;
  }

  /**
   * Event e as an object, for views and records (one connection's events at a time): every
   * field the store keeps, the line's text from `text` (read back from the log when asked).
   */
  event(e: number, addrs: AddrTable, text: (e: number) => string): FwEvent {
    const c = this.chunks[e >>> CHUNK_BITS]!, r = e & ROW_MASK;
    const bits = c.bits[r]!;
    const ep = (slot: number, mapSlot: number, ifSlot: number): FwEndpoint | undefined => {
      const a = this.addr(e, slot);
      if (a < 0) return undefined;
      const out: FwEndpoint = { addr: addrs.text(a) };
      const p = this.port(e, slot);
      if (p >= 0) out.port = p;
      const ma = this.addr(e, mapSlot);
      if (ma >= 0) {
        out.mappedAddr = addrs.text(ma);
        const mp = this.port(e, mapSlot);
        if (mp >= 0) out.mappedPort = mp;
      }
      const iface = this.str(e, ifSlot);
      if (iface !== undefined) out.iface = iface;
      return out;
    };
    const host = this.str(e, S_HOST);
    const ev: FwEvent = {
      ts: c.ts[r]!, tsSource: TS_SOURCES[(bits >> B_TSSRC) & 3] ?? 'none', msgid: c.msgid[r]!, severity: (bits >> B_SEV) & 7,
      vendor: (VENDORS[c.vendor[r]!] ?? 'ASA') as Vendor, file: this.logNames[c.log] ?? '', line: c.line[r]!,
      kind: FW_KINDS[c.kind[r]!] ?? 'other',
      get text(): string { return text(e); },
    };
    if (host !== undefined) ev.host = host;
    const proto = PROTOS[(bits >> B_PROTO) & 3];
    if (proto !== undefined) ev.proto = proto;
    const dir = (bits >> B_DIR) & 3;
    // (B_DIR: 1 = src opened the connection; the ASA family says so as inbound / outbound)
    if (dir && !isCisco(ev.vendor)) ev.initiator = dir === 1 ? 'src' : 'dst';
    else if (dir) ev.direction = dir === 1 ? 'inbound' : 'outbound';
    const id = connIdAt(c, r);
    if (!Number.isNaN(id)) ev.connId = id;
    const src = ep(A_SRC, A_SMAP, S_SIF), dst = ep(A_DST, A_DMAP, S_DIF);
    if (src) ev.src = src;
    if (dst) ev.dst = dst;
    if (!Number.isNaN(c.duration[r]!)) ev.duration = c.duration[r]!;
    const fwBytes = bytesAt(c, r);
    if (!Number.isNaN(fwBytes)) ev.bytes = fwBytes;
    const reason = this.str(e, S_REASON), from = this.str(e, S_RFROM), iface = this.str(e, S_IFACE), acl = this.str(e, S_ACL);
    if (reason !== undefined) ev.reason = reason;
    if (from !== undefined) ev.reasonFrom = from;
    if (iface !== undefined) ev.iface = iface;
    if (acl !== undefined) ev.acl = acl;
    const act = ACL_ACTIONS[(bits >> B_ACL) & 3];
    if (act !== undefined) ev.aclAction = act;
    if (ev.kind === 'deny-no-conn' || (ev.kind === 'deny' && c.flags[r]! !== 0)) {
      ev.tcpFlags = c.flags[r]!;
      ev.flagText = flagWords(c.flags[r]!);
    }
    return ev;
  }
}
