/**
 * The live engine's tables (live.ts): the connection table kept in its ingest form (hot records
 * and the tuple hash, so that packets keep finding their connections) with its columns kept
 * current for the connections that changed, and each connection's packet rows as a chain (the
 * batch pass finds them by a scan or an index built once; live they are wanted again and again).
 */
import { LOST_UNKNOWN } from '../analysis/impact.js';
import { MARK_TLS } from '../model.js';
import {
  ConnTable, W_REVERSED, B_CLOSE_SHIFT, B_FLIPPED, B_REUSED, CLOSE_FIN_ORIG, CLOSE_FIN_RESP, CLOSE_RST, H_BITS, H_ISN, H_KA, H_KB, H_KP, H_OPKTS, H_RPKTS,
  HF_FIRST, HF_LAST, HF_OPAY, HF_RPAY,
} from './conn-table.js';
import { grownColumn } from './memory.js';
import { CHUNK_ROWS, type PacketTable } from './packet-table.js';
import { allocConnPackets, type ConnPackets } from '../analysis/conn-packets.js';
import { analyseConn } from './analyse-range.js';

const SHIFT = 16;
const MASK = CHUNK_ROWS - 1;
/** end of a chain */
export const NO_ROW = 0xffffffff;

export class LiveConns extends ConnTable {
  /** connections whose columns exist (synced at least once) */
  synced = 0;

  /** Copy connection c's ingest record into the columns (growing them): counts, times, flags. */
  sync(c: number): void {
    if (c >= this.synced) {
      this.ensure(c + 1);
      if (this.fwBytes.length < this.origAddr.length) {
        const old = this.fwBytes.length;
        this.fwBytes = grownColumn(this.fwBytes, this.origAddr.length);
        this.fwBytes.fill(NaN, old);
        this.vantageMask = grownColumn(this.vantageMask, this.origAddr.length);
        // (impact: unknown until the analysis says; a firewall-only row stays unknown)
        this.unackedOrig = grownColumn(this.unackedOrig, this.origAddr.length);
        this.unackedResp = grownColumn(this.unackedResp, this.origAddr.length);
        this.dataLost = grownColumn(this.dataLost, this.origAddr.length);
      }
      while (this.histories.length <= c) this.histories.push('');
      for (let k = this.synced; k <= c; k++) {
        this.fwBytes[k] = NaN;
        this.unackedOrig[k] = NaN;
        this.unackedResp[k] = NaN;
        this.dataLost[k] = LOST_UNKNOWN;
      }
      this.synced = c + 1;
    }
    const hot = this.hotI, hf = this.hotF, h = c << 4, f = c << 3;
    const v = hot[h]! & 0xffff;
    this.vantage[c] = v;
    this.vantageMask[c] = v < 32 ? 1 << v : 0;
    this.origAddr[c] = this.ids[c << 1]!;
    this.respAddr[c] = this.ids[(c << 1) + 1]!;
    const kp = hot[h + H_KP]!;
    this.origPort[c] = kp >>> 16;
    this.respPort[c] = kp & 0xffff;
    this.firstTs[c] = hf[f + HF_FIRST]!;
    this.lastTs[c] = hf[f + HF_LAST]!;
    this.origPayload[c] = hf[f + HF_OPAY]!;
    this.respPayload[c] = hf[f + HF_RPAY]!;
    this.origPkts[c] = hot[h + H_OPKTS]!;
    this.respPkts[c] = hot[h + H_RPKTS]!;
    this.origIsn[c] = hot[h + H_ISN]!;
    const bits = hot[h + H_BITS]!;
    this.flagsOrig[c] = bits & 0xff;
    this.flagsResp[c] = (bits >>> 8) & 0xff;
    this.marks[c] = (bits >>> 16) & 0xff;
    this.tls[c] = this.marks[c]! & MARK_TLS ? 1 : 0;
    this.closeBits[c] = (bits >>> B_CLOSE_SHIFT) & 7;
    this.flipped[c] = bits & B_FLIPPED ? 1 : this.whyHot[c]! & W_REVERSED ? 2 : 0;
    this.reused[c] = bits & B_REUSED ? 1 : 0;
    const prev = this.prevHot[c]!;
    this.splitFrom[c] = prev;
    this.splitWhy[c] = this.whyHot[c]! & ~W_REVERSED;
    if (prev > 0 && prev - 1 < this.synced) this.splitTo[prev - 1] = c + 1;
  }

  /** The address ids of c's originator and responder. */
  idsOf(c: number): [number, number] {
    return [this.ids[c << 1]!, this.ids[(c << 1) + 1]!];
  }

  /** Packets of connection c so far (from its ingest record: current between syncs too). */
  packetsOf(c: number): number {
    const h = c << 4;
    return this.hotI[h + H_OPKTS]! + this.hotI[h + H_RPKTS]!;
  }

  /** Time of c's first packet. */
  firstOf(c: number): number {
    return this.hotF[(c << 3) + HF_FIRST]!;
  }

  /** Widen c's span to take time t (a firewall-only connection's later event). */
  extendTo(c: number, t: number): void {
    const f = c << 3;
    if (!(t <= this.hotF[f + HF_LAST]!)) this.hotF[f + HF_LAST] = t;
    if (!(t >= this.hotF[f + HF_FIRST]!)) this.hotF[f + HF_FIRST] = t;
    if (c < this.synced) {
      this.firstTs[c] = this.hotF[f + HF_FIRST]!;
      this.lastTs[c] = this.hotF[f + HF_LAST]!;
    }
  }

  /** Time of c's last packet so far. */
  lastOf(c: number): number {
    return this.hotF[(c << 3) + HF_LAST]!;
  }

  /** Whether c has closed: a RST, or a FIN each way. */
  closedNow(c: number): boolean {
    const cb = (this.hotI[(c << 4) + H_BITS]! >>> B_CLOSE_SHIFT) & 7;
    return (cb & CLOSE_RST) !== 0 || (cb & (CLOSE_FIN_ORIG | CLOSE_FIN_RESP)) === (CLOSE_FIN_ORIG | CLOSE_FIN_RESP);
  }

  /** The close bits of c's record (CLOSE_*), to tell when a connection's close has changed. */
  closeBitsNow(c: number): number {
    return (this.hotI[(c << 4) + H_BITS]! >>> B_CLOSE_SHIFT) & 7;
  }
}

/**
 * The table of the connections `order` lists (old indices, in their order): connection k of the
 * new table is old connection order[k], with its key in the tuple hash (the newest of a reused
 * tuple its current one), its ingest record, columns and verdicts (--keep's compaction).
 */
export function compactedConns(old: LiveConns, order: Int32Array): LiveConns {
  const t = new LiveConns();
  const oh = old.hotI, of = old.hotF;
  for (let k = 0; k < order.length; k++) {
    const c = order[k]!, h = c << 4, f = c << 3;
    const kv = oh[h]!, ka = oh[h + H_KA]!, kb = oh[h + H_KB]!, kp = oh[h + H_KP]!;
    const po = kp >>> 16, pr = kp & 0xffff;
    const r = t.find(kv, ka, po, kb, pr);
    const ids = old.idsOf(c);
    const n = t.addHot(kv, ka, po, kb, pr, ids[0], ids[1], of[f + HF_FIRST]!, r >= 0 ? r >>> 1 : -1, old.whyHot[c]!);
    t.delAt[n] = old.delAt[c]!;
    t.respStart[n] = old.respStart[c]!;
    const nh = n << 4, nf = n << 3;
    t.hotI[nh + H_OPKTS] = oh[h + H_OPKTS]!;
    t.hotI[nh + H_RPKTS] = oh[h + H_RPKTS]!;
    t.hotI[nh + H_ISN] = oh[h + H_ISN]!;
    t.hotI[nh + H_BITS] = oh[h + H_BITS]!;
    t.hotF[nf + HF_LAST] = of[f + HF_LAST]!;
    t.hotF[nf + HF_OPAY] = of[f + HF_OPAY]!;
    t.hotF[nf + HF_RPAY] = of[f + HF_RPAY]!;
    t.sync(n);
    t.connState[n] = old.connState[c]!;
    t.teardown[n] = old.teardown[c]!;
    t.closedBy[n] = old.closedBy[c]!;
    t.anomalies[n] = old.anomalies[c]!;
    t.origBytes[n] = old.origBytes[c]!;
    t.respBytes[n] = old.respBytes[c]!;
    t.histories[n] = old.histories[c]!;
    t.fwBytes[n] = old.fwBytes[c]!;
    t.unackedOrig[n] = old.unackedOrig[c]!;
    t.unackedResp[n] = old.unackedResp[c]!;
    t.dataLost[n] = old.dataLost[c]!;
  }
  return t;
}

/** Each connection's packet rows, in row order: head and tail by connection, the next row by row. */
export class RowChains {
  private next: Uint32Array[] = [];
  head = new Uint32Array(1024).fill(NO_ROW);
  tail = new Uint32Array(1024).fill(NO_ROW);

  /** Row r (the latest) belongs to connection c. */
  add(r: number, c: number): void {
    const k = r >>> SHIFT;
    while (k >= this.next.length) this.next.push(new Uint32Array(CHUNK_ROWS));
    this.next[k]![r & MASK] = NO_ROW;
    if (c >= this.head.length) {
      const n = Math.max(c + 1, this.head.length * 2);
      const head = new Uint32Array(n).fill(NO_ROW), tail = new Uint32Array(n).fill(NO_ROW);
      head.set(this.head);
      tail.set(this.tail);
      this.head = head;
      this.tail = tail;
    }
    const t = this.tail[c]!;
    if (t === NO_ROW) this.head[c] = r;
    else this.next[t >>> SHIFT]![t & MASK] = r;
    this.tail[c] = r;
  }

  /** Connection c's rows into `into` (grown when short; returned with the count). */
  rows(c: number, into: Uint32Array): { rows: Uint32Array; n: number } {
    let n = 0;
    for (let r = c < this.head.length ? this.head[c]! : NO_ROW; r !== NO_ROW; r = this.next[r >>> SHIFT]![r & MASK]!) {
      if (n === into.length) {
        const b = new Uint32Array(Math.max(64, into.length * 2));
        b.set(into);
        into = b;
      }
      into[n++] = r;
    }
    return { rows: into, n };
  }
}

/** One connection's verdicts from its packets (the batch's analyseConn), with scratch arrays kept between calls. */
export class Analyser {
  private rows: Uint32Array = new Uint32Array(256);
  private scratch: ConnPackets = allocConnPackets(256);
  /** one string per distinct history (cleared now and then: a long run makes many) */
  private histories = new Map<string, string>();
  private outCache: Parameters<typeof analyseConn>[3] | undefined;

  /** Analyse connection c into the table's columns; returns its packets analysed. */
  run(conns: LiveConns, chains: RowChains, packets: PacketTable, c: number): number {
    const got = chains.rows(c, this.rows);
    this.rows = got.rows;
    let p = this.scratch;
    if (got.n > p.ts.length) p = this.scratch = allocConnPackets(Math.max(got.n, p.ts.length * 2));
    packets.gather(got.rows, 0, got.n, p.ts, p.flags, p.seq, p.ack, p.len, p.win, p.mark);
    p.n = got.n;
    p.flipped = conns.flipped[c] === 1;
    p.reversed = conns.flipped[c] === 2;
    if (this.histories.size > 4096) this.histories.clear();
    analyseConn(p, c, conns.reused[c] === 1, this.out(conns), this.histories);
    return got.n;
  }

  private out(c: LiveConns): Parameters<typeof analyseConn>[3] {
    if (this.outCache?.connState !== c.connState) {
      this.outCache = {
        connState: c.connState, teardown: c.teardown, closedBy: c.closedBy, anomalies: c.anomalies, origBytes: c.origBytes, respBytes: c.respBytes,
        unackedOrig: c.unackedOrig, unackedResp: c.unackedResp, dataLost: c.dataLost,
        history: (i, h) => { c.histories[i] = h; },
      };
    }
    return this.outCache;
  }
}
