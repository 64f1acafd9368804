/**
 * Connections in compact form (struct of arrays) and the direction-independent lookup from a
 * 5-tuple (plus vantage) to the current connection of that tuple.
 *
 * A connection is per vantage point: the same TCP connection seen by two captures is two rows
 * here, linked later by the vantage matcher (src/correlate/). Rows are created in reading order and
 * renumbered by first-packet time in `finalize` (id = index + 1).
 */
type Grow = Uint8Array | Uint16Array | Uint32Array | Float64Array | Int32Array;

function grow<T extends Grow>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

/** closed-state bits kept during ingest, to tell a reused 4-tuple from a retransmitted SYN */
export const CLOSE_FIN_ORIG = 1;
export const CLOSE_FIN_RESP = 2;
export const CLOSE_RST = 4;

export class ConnTable {
  count = 0;
  private cap = 1024;
  vantage = new Uint16Array(this.cap);
  origAddr = new Uint32Array(this.cap);
  respAddr = new Uint32Array(this.cap);
  origPort = new Uint16Array(this.cap);
  respPort = new Uint16Array(this.cap);
  firstTs = new Float64Array(this.cap);
  lastTs = new Float64Array(this.cap);
  origPkts = new Uint32Array(this.cap);
  respPkts = new Uint32Array(this.cap);
  /** payload bytes on the wire, every packet counted (retransmissions too) */
  origPayload = new Float64Array(this.cap);
  respPayload = new Float64Array(this.cap);
  flagsOrig = new Uint8Array(this.cap);
  flagsResp = new Uint8Array(this.cap);
  marks = new Uint8Array(this.cap);
  closeBits = new Uint8Array(this.cap);
  /** 1 when the originator was chosen against the first packet's sender (Zeek's `^`) */
  flipped = new Uint8Array(this.cap);
  /** 1 when a later connection re-used this 4-tuple with a new SYN */
  reused = new Uint8Array(this.cap);
  /** initial sequence number of the originator's SYN (0 when none) */
  origIsn = new Uint32Array(this.cap);
  // filled by the analysis pass
  connState = new Uint8Array(this.cap);
  teardown = new Uint8Array(this.cap);
  closedBy = new Uint8Array(this.cap);
  anomalies = new Uint32Array(this.cap);
  tls = new Uint8Array(this.cap);
  /** Zeek's sequence-based payload sizes */
  origBytes = new Float64Array(this.cap);
  respBytes = new Float64Array(this.cap);
  histories: string[] = [];
  /** bit v set when vantage v saw the connection (set by finalize) */
  vantageMask = new Uint32Array(0);

  // open-addressing hash: slot -> connection index + 1 (0 = empty)
  private slots = new Int32Array(1 << 12);

  private ensure(n: number): void {
    if (n <= this.cap) return;
    let c = this.cap;
    while (c < n) c *= 2;
    this.cap = c;
    this.vantage = grow(this.vantage, c);
    this.origAddr = grow(this.origAddr, c);
    this.respAddr = grow(this.respAddr, c);
    this.origPort = grow(this.origPort, c);
    this.respPort = grow(this.respPort, c);
    this.firstTs = grow(this.firstTs, c);
    this.lastTs = grow(this.lastTs, c);
    this.origPkts = grow(this.origPkts, c);
    this.respPkts = grow(this.respPkts, c);
    this.origPayload = grow(this.origPayload, c);
    this.respPayload = grow(this.respPayload, c);
    this.flagsOrig = grow(this.flagsOrig, c);
    this.flagsResp = grow(this.flagsResp, c);
    this.marks = grow(this.marks, c);
    this.closeBits = grow(this.closeBits, c);
    this.flipped = grow(this.flipped, c);
    this.reused = grow(this.reused, c);
    this.origIsn = grow(this.origIsn, c);
    this.connState = grow(this.connState, c);
    this.teardown = grow(this.teardown, c);
    this.closedBy = grow(this.closedBy, c);
    this.anomalies = grow(this.anomalies, c);
    this.tls = grow(this.tls, c);
    this.origBytes = grow(this.origBytes, c);
    this.respBytes = grow(this.respBytes, c);
  }

  private static hash(v: number, a: number, pa: number, b: number, pb: number): number {
    // direction-independent: combine the two endpoints symmetrically
    const x = Math.imul(a ^ (pa << 16), 0x9e3779b1) + Math.imul(b ^ (pb << 16), 0x9e3779b1);
    let h = (x ^ Math.imul(v + 1, 0x85ebca6b)) >>> 0;
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    return h >>> 0;
  }

  /**
   * Index of the current connection for this tuple, or -1. `dirOut.resp` tells whether the
   * packet (src a:pa -> dst b:pb) was sent by the responder.
   */
  find(v: number, a: number, pa: number, b: number, pb: number, dirOut: { resp: boolean }): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    let s = ConnTable.hash(v, a, pa, b, pb) & mask;
    for (;;) {
      const e = slots[s]!;
      if (e === 0) return -1;
      const c = e - 1;
      if (this.vantage[c] === v) {
        if (this.origAddr[c] === a && this.origPort[c] === pa && this.respAddr[c] === b && this.respPort[c] === pb) {
          dirOut.resp = false;
          return c;
        }
        if (this.origAddr[c] === b && this.origPort[c] === pb && this.respAddr[c] === a && this.respPort[c] === pa) {
          dirOut.resp = true;
          return c;
        }
      }
      s = (s + 1) & mask;
    }
  }

  /** New connection with originator o:po and responder r:pr; it becomes the tuple's current one. */
  add(v: number, o: number, po: number, r: number, pr: number, ts: number, replaces: number): number {
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
    if (replaces >= 0) {
      // port reuse: point the tuple's slot at the new connection
      const slots = this.slots;
      const mask = slots.length - 1;
      let s = ConnTable.hash(v, o, po, r, pr) & mask;
      while (slots[s] !== replaces + 1) s = (s + 1) & mask;
      slots[s] = c + 1;
      return c;
    }
    if ((c + 1) * 2 > this.slots.length) this.rehash();
    this.insert(c);
    return c;
  }

  private insert(c: number): void {
    const slots = this.slots;
    const mask = slots.length - 1;
    let s = ConnTable.hash(this.vantage[c]!, this.origAddr[c]!, this.origPort[c]!, this.respAddr[c]!, this.respPort[c]!) & mask;
    while (slots[s] !== 0) s = (s + 1) & mask;
    slots[s] = c + 1;
  }

  private rehash(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    for (let s = 0; s < old.length; s++) {
      const e = old[s]!;
      if (e !== 0) this.insert(e - 1);
    }
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
    const all = this.count;
    const mask = new Uint32Array(all);
    for (let c = 0; c < all; c++) {
      const v = this.vantage[c]!;
      const bit = v < 32 ? 1 << v : 0;
      const p = mergeInto && mergeInto[c]! >= 0 ? mergeInto[c]! : c;
      mask[p]! |= bit;
      if (p !== c && this.firstTs[c]! < this.firstTs[p]!) this.firstTs[p] = this.firstTs[c]!;
    }
    const order: number[] = [];
    for (let c = 0; c < all; c++) if (!mergeInto || mergeInto[c]! < 0) order.push(c);
    const n = order.length;
    const ft = this.firstTs;
    order.sort((x, y) => ft[x]! - ft[y]! || x - y);
    const map = new Uint32Array(all);
    for (let k = 0; k < n; k++) map[order[k]!] = k;
    if (mergeInto) for (let c = 0; c < all; c++) if (mergeInto[c]! >= 0) map[c] = map[mergeInto[c]!]!;
    this.count = n;
    const perm = <T extends Grow>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(Math.max(n, 1));
      for (let k = 0; k < n; k++) b[k] = a[order[k]!]!;
      return b;
    };
    this.vantage = perm(this.vantage);
    this.origAddr = perm(this.origAddr);
    this.respAddr = perm(this.respAddr);
    this.origPort = perm(this.origPort);
    this.respPort = perm(this.respPort);
    this.firstTs = perm(this.firstTs);
    this.lastTs = perm(this.lastTs);
    this.origPkts = perm(this.origPkts);
    this.respPkts = perm(this.respPkts);
    this.origPayload = perm(this.origPayload);
    this.respPayload = perm(this.respPayload);
    this.flagsOrig = perm(this.flagsOrig);
    this.flagsResp = perm(this.flagsResp);
    this.marks = perm(this.marks);
    this.closeBits = perm(this.closeBits);
    this.flipped = perm(this.flipped);
    this.reused = perm(this.reused);
    this.origIsn = perm(this.origIsn);
    this.connState = perm(this.connState);
    this.teardown = perm(this.teardown);
    this.closedBy = perm(this.closedBy);
    this.anomalies = perm(this.anomalies);
    this.tls = perm(this.tls);
    this.origBytes = perm(this.origBytes);
    this.respBytes = perm(this.respBytes);
    this.histories = order.map((i) => this.histories[i]!);
    this.vantageMask = perm(mask);
    this.cap = Math.max(n, 1);
    this.dropIndex();
    return map;
  }
}
