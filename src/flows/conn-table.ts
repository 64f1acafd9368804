/**
 * Connections in compact form (struct of arrays) and the direction-independent lookup from a
 * 5-tuple (plus vantage) to the current connection of that tuple.
 *
 * A connection is per vantage point: the same TCP connection seen by two captures is two rows
 * here, linked later by the vantage matcher (src/correlate/). Rows are created in reading order and
 * renumbered by first-packet time in `finalize` (id = index + 1).
 */
import { collectGarbage, discarded, grownColumn, osArray, type Column } from './memory.js';
import { renumberConns } from './conn-finalize.js';

/** closed-state bits kept during ingest, to tell a reused 4-tuple from a retransmitted SYN */
export const CLOSE_FIN_ORIG = 1;
export const CLOSE_FIN_RESP = 2;
export const CLOSE_RST = 4;

/**
 * Lookup keys (`find`, `addHot`): the vantage in the low 16 bits of the first word, KEY_IDS set
 * when the address words are address-table ids (IPv6, text listings). Without it they are the
 * raw IPv4 addresses, so that the hot loop needs no address lookup for a packet of a known
 * connection (ids are made once per connection).
 */
export const KEY_IDS = 0x10000;

/** The pcapng interface is part of the connection key: two interfaces of one file that saw the
 *  same connection (`-i any` beside `-i eth0`, a router's two sides) give two connections, not
 *  one with every packet twice (which would read as retransmissions). */
export const keyOf = (v: number, iface: number): number => v | ((iface & 0x3fff) << 17);

/*
 * During ingest every connection's key and counters live in one 64-byte record (`hotI` and `hotF`
 * view the same buffer): a packet touches one or two cache lines instead of one per column.
 * `seal` copies them into the columns. Int32 words of record c start at c * 16:
 */
export const H_KV = 0; // vantage | KEY_IDS
export const H_KA = 1; // originator address key
export const H_KB = 2; // responder address key
export const H_KP = 3; // originator port << 16 | responder port
export const H_OPKTS = 4;
export const H_RPKTS = 5;
export const H_ISN = 6; // origIsn, as int32
export const H_BITS = 7; // B_* below
/** Float64 slots of record c start at c * 8: */
export const HF_FIRST = 4;
export const HF_LAST = 5;
export const HF_OPAY = 6;
export const HF_RPAY = 7;
/** H_BITS: flagsOrig in bits 0-7, flagsResp 8-15, marks 16-23, then: */
export const B_CLOSE_SHIFT = 24; // CLOSE_* << 24
export const B_FLIPPED = 1 << 27;
export const B_REUSED = 1 << 28;
/** Zeek's attempt timer is pending: the originator's first packet was a SYN (or unflipped SYN-ACK), the responder is still INACTIVE (zeek-lifetime.ts) */
export const B_ATTEMPT = 1 << 29;
/** the close is complete: Zeek deletes the connection at `delAt` (zeek-lifetime.ts CLOSE) */
export const B_DEL = 1 << 30;
/** the originator's first packet was a SYN-ACK (Zeek: SYN_ACK_SENT) */
export const B_OSYNACK = 1 << 31;
/** whyHot bit: the roles were swapped at Zeek's SYN/SYN-ACK reversal (PacketAdder.swapRoles) */
export const W_REVERSED = 0x80;

/** The columns a connection has from its creation on, grown together (ConnTable.ensure) and renumbered together (conn-finalize.ts). */
export const GROWN_COLUMNS = [
  'vantage', 'origAddr', 'respAddr', 'origPort', 'respPort', 'firstTs', 'lastTs', 'origPkts',
  'respPkts', 'origPayload', 'respPayload', 'flagsOrig', 'flagsResp', 'marks', 'closeBits',
  'flipped', 'reused', 'origIsn', 'splitFrom', 'splitTo', 'splitWhy', 'connState', 'teardown',
  'closedBy', 'anomalies', 'tls', 'origBytes', 'respBytes',
] as const;
export type GrownColumn = (typeof GROWN_COLUMNS)[number];

export class ConnTable {
  count = 0;
  private cap = 0;
  // Columns: the connection table everyone reads. Allocated by `seal` (end of ingest) at their
  // exact size; until then the hot records below hold the data.
  vantage = new Uint16Array(0);
  origAddr = new Uint32Array(0);
  respAddr = new Uint32Array(0);
  origPort = new Uint16Array(0);
  respPort = new Uint16Array(0);
  firstTs = new Float64Array(0);
  lastTs = new Float64Array(0);
  origPkts = new Uint32Array(0);
  respPkts = new Uint32Array(0);
  /** payload bytes on the wire, every packet counted (retransmissions too) */
  origPayload = new Float64Array(0);
  respPayload = new Float64Array(0);
  flagsOrig = new Uint8Array(0);
  flagsResp = new Uint8Array(0);
  marks = new Uint8Array(0);
  closeBits = new Uint8Array(0);
  /** 1 when the originator was chosen against the first packet's sender (Zeek's `^`); 2 when the
   *  roles were swapped at a SYN that followed the SYN-ACK (Zeek's SYN/SYN-ACK reversal, W_REVERSED) */
  flipped = new Uint8Array(0);
  /** 1 when a later connection re-used this 4-tuple with a new SYN */
  reused = new Uint8Array(0);
  /** Zeek's start sequence of the originator: its SYN's seq, or its first packet's seq - 1, or the
   *  responder's ack - 1 before it sent anything (0 when none: Zeek's initial value) */
  origIsn = new Uint32Array(0);
  /**
   * Connections of one 4-tuple that Zeek's lifetime rules split (zeek-lifetime.ts): the id (index
   * + 1) of the tuple's previous connection and of its next one, 0 for none; `splitWhy` SPLIT_*:
   * why this one was started instead of the packets joining the previous one.
   */
  splitFrom = new Uint32Array(0);
  splitTo = new Uint32Array(0);
  splitWhy = new Uint8Array(0);
  // filled by the analysis pass (which may put them in shared memory, for its worker)
  connState: Uint8Array = new Uint8Array(0);
  teardown: Uint8Array = new Uint8Array(0);
  closedBy: Uint8Array = new Uint8Array(0);
  anomalies: Uint32Array = new Uint32Array(0);
  tls = new Uint8Array(0);
  /** Zeek's sequence-based payload sizes */
  origBytes: Float64Array = new Float64Array(0);
  respBytes: Float64Array = new Float64Array(0);
  /**
   * Zeek's history of each connection ('' none). It may end before the last connection: those past
   * its end have none (the log-only ones, 3 M at 10 M log lines: two arrays of 27 MB made, filled
   * with '' and renumbered for nothing); every reader takes a missing one as ''.
   */
  histories: string[] = [];
  /** impact (analysis/impact.ts), set by the analysis pass: each side's bytes unacknowledged at the first RST (NaN: unknown); dataLost LOST_* */
  unackedOrig: Float64Array = new Float64Array(0);
  unackedResp: Float64Array = new Float64Array(0);
  dataLost: Uint8Array = new Uint8Array(0);
  /** bytes the firewall counted (a Teardown line), NaN when no log says (set with the firewall correlation) */
  fwBytes: Float64Array = new Float64Array(0);
  /** bit v set when vantage v saw the connection (set by finalize) */
  vantageMask = new Uint32Array(0);

  // ---- ingest state (dropped by seal) ----
  private sealed = false;
  private hotCap = 1024;
  /** hot records, see H_* (replaced when they grow: do not keep across addHot) */
  hotI = osArray(Int32Array, this.hotCap * 16);
  hotF = new Float64Array(this.hotI.buffer, 0, this.hotCap * 8);
  /** address-table ids of originator and responder (2 per connection) */
  protected ids = osArray(Uint32Array, this.hotCap * 2);
  /**
   * Zeek lifetime state beside the hot records (zeek-lifetime.ts), read only on rare paths (a SYN
   * on a known tuple, packets after a close): the close's delete time (valid with B_DEL), the
   * responder's start sequence, and the previous connection of the tuple (index + 1) with SPLIT_*.
   */
  delAt = new Float64Array(this.hotCap);
  respStart = new Int32Array(this.hotCap);
  prevHot = new Uint32Array(this.hotCap);
  whyHot = new Uint8Array(this.hotCap);
  // open-addressing hash, two words a slot: connection index + 1 (0 = empty), then the key's full
  // hash, so that a probe past another connection's slot is rejected without reading its record
  // (a cache miss into the records, most of which belong to connections long closed)
  private slots = osArray(Int32Array, 2 << 12);

  /** During ingest: the address ids of the originator and responder (2 per connection). */
  get idsHot(): Uint32Array {
    return this.ids;
  }

  /** Grow the columns (after seal: connections the firewall correlation adds). */
  protected ensure(n: number): void {
    if (n <= this.cap) return;
    const c = Math.max(n, Math.ceil(this.cap * 1.5), 16);
    this.cap = c;
    const lazy = this.lazyColumns;
    const cols = this as unknown as Record<GrownColumn, Column>;
    for (const k of GROWN_COLUMNS) cols[k] = grownColumn(cols[k], c, lazy);
  }

  private static hash(kv: number, a: number, pa: number, b: number, pb: number): number {
    // direction-independent: combine the two endpoints symmetrically
    const x = Math.imul(a ^ (pa << 16), 0x9e3779b1) + Math.imul(b ^ (pb << 16), 0x9e3779b1);
    let h = (x ^ Math.imul(kv + 1, 0x85ebca6b)) >>> 0;
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    return h >>> 0;
  }

  /**
   * During ingest: the current connection for this key (packet a:pa -> b:pb, see KEY_IDS), as
   * index * 2 + 1 when the packet was sent by the responder, index * 2 when by the originator;
   * -1 when there is none.
   */
  find(kv: number, a: number, pa: number, b: number, pb: number): number {
    const slots = this.slots;
    const hot = this.hotI;
    const mask = (slots.length >>> 1) - 1;
    const fwd = (pa << 16) | pb;
    const rev = (pb << 16) | pa;
    const hash = ConnTable.hash(kv, a, pa, b, pb);
    const hi = hash | 0;
    let s = hash & mask;
    for (;;) {
      const e = slots[s << 1]!;
      if (e === 0) return -1;
      if (slots[(s << 1) + 1] === hi) {
        const h = (e - 1) << 4;
        if (hot[h]! === kv) {
          const ka = hot[h + 1]!, kb = hot[h + 2]!, kp = hot[h + 3]!;
          if (ka === a && kb === b && kp === fwd) return (e - 1) << 1;
          if (ka === b && kb === a && kp === rev) return ((e - 1) << 1) | 1;
        }
      }
      s = (s + 1) & mask;
    }
  }

  /**
   * During ingest: new connection, originator key oa:po, responder ra:pr (ids idO, idR); it
   * becomes the tuple's current one (replacing connection `replaces` when >= 0). Returns its index.
   */
  addHot(kv: number, oa: number, po: number, ra: number, pr: number, idO: number, idR: number, ts: number, replaces: number, why = 0): number {
    const c = this.count;
    if (c === this.hotCap) this.growHot();
    this.count = c + 1;
    const hot = this.hotI;
    const h = c << 4;
    hot[h] = kv;
    hot[h + H_KA] = oa;
    hot[h + H_KB] = ra;
    hot[h + H_KP] = (po << 16) | pr;
    hot[h + H_OPKTS] = 0;
    hot[h + H_RPKTS] = 0;
    hot[h + H_ISN] = 0;
    hot[h + H_BITS] = 0;
    const f = c << 3;
    this.hotF[f + HF_FIRST] = ts;
    this.hotF[f + HF_LAST] = ts;
    this.hotF[f + HF_OPAY] = 0;
    this.hotF[f + HF_RPAY] = 0;
    this.ids[c << 1] = idO;
    this.ids[(c << 1) + 1] = idR;
    this.respStart[c] = 0;
    this.prevHot[c] = replaces + 1;
    this.whyHot[c] = replaces >= 0 ? why : why & W_REVERSED;
    const slots = this.slots;
    if (replaces >= 0) {
      // port reuse: point the tuple's slot at the new connection
      const mask = (slots.length >>> 1) - 1;
      let s = ConnTable.hash(kv, oa, po, ra, pr) & mask;
      while (slots[s << 1] !== replaces + 1) s = (s + 1) & mask;
      slots[s << 1] = c + 1;
      return c;
    }
    if ((c + 1) * 4 > slots.length) this.rehash();
    this.insert(c, ConnTable.hash(kv, oa, po, ra, pr));
    return c;
  }

  private growHot(): void {
    const n = this.hotCap * 2;
    const oldBytes = this.hotI.byteLength + this.ids.byteLength;
    const hot = osArray(Int32Array, n * 16);
    hot.set(this.hotI);
    this.hotI = hot;
    this.hotF = new Float64Array(hot.buffer, 0, n * 8);
    const ids = osArray(Uint32Array, n * 2);
    ids.set(this.ids);
    this.ids = ids;
    this.delAt = grownColumn(this.delAt, n);
    this.respStart = grownColumn(this.respStart, n);
    this.prevHot = grownColumn(this.prevHot, n);
    this.whyHot = grownColumn(this.whyHot, n);
    this.hotCap = n;
    discarded(oldBytes);
  }

  /**
   * Whether the columns are mapped from the OS (lazySharedColumn): once connections with no
   * packets, most of whose columns stay zero, are reserved for.
   */
  lazyColumns = false;

  /** Room for `more` connections after seal (the log-only ones), so that adding them copies no column. */
  reserve(more: number): void {
    if (!this.sealed) return;
    if (more > 0) this.lazyColumns = true;
    this.ensure(this.count + more);
  }

  /**
   * After seal: the next k rows, written straight into the columns (vantage, addresses, ports,
   * times; room made by reserve), become connections (the log-only ones, in bulk).
   */
  appendWritten(k: number): void {
    // (no history: `histories` is not grown for them)
    this.count += k;
  }

  /** A history entry for every connection, '' where none was (before a pass writes them). */
  historiesForAll(): void {
    const h = this.histories, from = h.length;
    if (from >= this.count) return;
    h.length = this.count;
    h.fill('', from);
  }

  /** New connection (after ingest: log-only connections) with originator o:po and responder r:pr (address ids). */
  add(v: number, o: number, po: number, r: number, pr: number, ts: number, replaces: number): number {
    if (!this.sealed) {
      // ingest keys by ids here (text listings): mark the key as such
      return this.addHot(v | KEY_IDS, o, po, r, pr, o, r, ts, replaces);
    }
    const c = this.count;
    this.ensure(c + 1);
    this.count = c + 1;
    this.vantage[c] = v;
    this.origAddr[c] = o;
    this.origPort[c] = po;
    this.respAddr[c] = r;
    this.respPort[c] = pr;
    this.firstTs[c] = ts;
    this.lastTs[c] = ts;
    this.histories.push('');
    return c;
  }

  private insert(c: number, hash: number): void {
    const slots = this.slots;
    const mask = (slots.length >>> 1) - 1;
    let s = hash & mask;
    while (slots[s << 1] !== 0) s = (s + 1) & mask;
    slots[s << 1] = c + 1;
    slots[(s << 1) + 1] = hash;
  }

  private rehash(): void {
    const old = this.slots;
    this.slots = osArray(Int32Array, old.length * 2);
    for (let s = 0; s < old.length; s += 2) {
      const e = old[s]!;
      if (e !== 0) this.insert(e - 1, old[s + 1]! >>> 0);
    }
    discarded(old.byteLength);
  }

  /**
   * End of ingest: write the hot records into the columns (allocated at their exact size) and
   * drop the records and the lookup hash. `add` then appends to the columns directly.
   */
  seal(): void {
    if (this.sealed) return;
    this.sealed = true;
    const n = this.count;
    // the lookup hash first, before the columns are allocated beside the records: sealing is the
    // load's peak (1 M connections: columns +60 MB while records, ids and hash are alive)
    const hashBytes = this.slots.byteLength;
    this.dropIndex();
    if (hashBytes >= 8 << 20) collectGarbage();
    this.cap = 0;
    this.ensure(n);
    // (one per connection; not pushed per new connection while reading, where the array's growth
    // cost collections in the hot loop)
    this.histories = new Array<string>(n).fill('');
    const hot = this.hotI, hf = this.hotF, ids = this.ids;
    const { vantage, origAddr, respAddr, origPort, respPort, firstTs, lastTs, origPkts, respPkts, origPayload, respPayload } = this;
    const { flagsOrig, flagsResp, marks, closeBits, flipped, reused, origIsn, splitFrom, splitTo, splitWhy, prevHot, whyHot } = this;
    for (let c = 0; c < n; c++) {
      const h = c << 4, f = c << 3;
      vantage[c] = hot[h]! & 0xffff;
      origAddr[c] = ids[c << 1]!;
      respAddr[c] = ids[(c << 1) + 1]!;
      const kp = hot[h + H_KP]!;
      origPort[c] = kp >>> 16;
      respPort[c] = kp & 0xffff;
      firstTs[c] = hf[f + HF_FIRST]!;
      lastTs[c] = hf[f + HF_LAST]!;
      origPayload[c] = hf[f + HF_OPAY]!;
      respPayload[c] = hf[f + HF_RPAY]!;
      origPkts[c] = hot[h + H_OPKTS]!;
      respPkts[c] = hot[h + H_RPKTS]!;
      origIsn[c] = hot[h + H_ISN]!;
      const bits = hot[h + H_BITS]!;
      flagsOrig[c] = bits & 0xff;
      flagsResp[c] = (bits >>> 8) & 0xff;
      marks[c] = (bits >>> 16) & 0xff;
      closeBits[c] = (bits >>> B_CLOSE_SHIFT) & 7;
      flipped[c] = bits & B_FLIPPED ? 1 : whyHot[c]! & W_REVERSED ? 2 : 0;
      reused[c] = bits & B_REUSED ? 1 : 0;
      const prev = prevHot[c]!;
      splitFrom[c] = prev;
      splitWhy[c] = whyHot[c]! & ~W_REVERSED;
      if (prev > 0) splitTo[prev - 1] = c + 1;
    }
    this.hotI = new Int32Array(0);
    this.delAt = new Float64Array(0);
    this.respStart = new Int32Array(0);
    this.prevHot = new Uint32Array(0);
    this.whyHot = new Uint8Array(0);
    this.hotF = new Float64Array(0);
    this.ids = new Uint32Array(0);
    this.hotCap = 0;
  }

  /** Drop the lookup hash (after reading: nothing more is added). */
  dropIndex(): void {
    this.slots = new Int32Array(0);
  }

  /**
   * Renumber connections by first-packet time (stable), so id = index + 1 follows time across
   * several files. Connections merged into another (`mergeInto[c] >= 0`: the same connection seen
   * at another vantage) disappear; their old index maps to the new index of the one they joined.
   * `vantageMask` gets the vantages of every member. Returns old index -> new index.
   */
  finalize(mergeInto?: Int32Array): Uint32Array {
    const { map, moved } = renumberConns(this, mergeInto);
    if (moved) this.cap = Math.max(this.count, 1);
    this.dropIndex();
    return map;
  }
}
