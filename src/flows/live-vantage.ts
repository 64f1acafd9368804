/**
 * Live capture on several interfaces (`-i inside -i outside`): each interface is a vantage, and the
 * same connection seen at two of them becomes one row, as the batch does with two capture files
 * (correlate/vantage.ts, whose packet alignment this reuses).
 *
 * The batch matches once, with every packet read. Live, a pair is looked at when the first of its
 * two connections is over (closed plus the grace, or idle): both vantages saw the same packets
 * within milliseconds, so the other one is over or nearly so, and what each saw is known. The
 * candidates are the connections not yet over, by their ports (NAT may change addresses, not the
 * ports of a static translation; PAT is not matched, as in the batch). The one with more packets
 * stays the row (the primary); the other is merged into it: hidden from the list and the output,
 * its vantage added to the row's, its packets marked seen or missing at the other vantage, and a
 * packet that crossed one interface and never reached the other makes the row
 * dropped-between-vantages.
 *
 * Cost: a map entry per connection not yet over; one alignment per connection over.
 */
import { anomalyBit } from '../model.js';
import { alignRows, MARK_MISSING_ELSEWHERE } from '../correlate/vantage.js';
import type { PacketTable } from './packet-table.js';
import type { LiveConns, RowChains } from './live-conns.js';

/** seconds two interfaces' views of one connection may start or end apart */
const TIME_TOL = 2;
const DROPPED = anomalyBit('dropped-between-vantages');

export class LiveVantages {
  /** ports key -> connections not yet over (any vantage) */
  private readonly open = new Map<number, number[]>();
  /** connection -> the one it was merged into, + 1 (0: none; -1: into one --keep has dropped since) */
  private into = new Int32Array(0);
  /** connection -> the vantages of the connections merged into it (bits) */
  private mask = new Uint32Array(0);
  /** 1: a packet of it or of a connection merged into it is missing at another vantage */
  private dropped = new Uint8Array(0);
  private bufA: Uint32Array = new Uint32Array(64);
  private bufB: Uint32Array = new Uint32Array(64);
  /** pairs merged so far */
  merged = 0;
  /** connections held that are merged into another (not rows) */
  hidden = 0;

  constructor(readonly count: number) {}

  private grow(n: number): void {
    if (n <= this.into.length) return;
    const m = Math.max(n, this.into.length * 2, 1024);
    const into = new Int32Array(m), mask = new Uint32Array(m), dropped = new Uint8Array(m);
    into.set(this.into);
    mask.set(this.mask);
    dropped.set(this.dropped);
    this.into = into;
    this.mask = mask;
    this.dropped = dropped;
  }

  private static key(conns: LiveConns, c: number): number {
    return conns.origPort[c]! * 65536 + conns.respPort[c]!;
  }

  /** A new connection (its columns synced): a candidate until it is over. */
  add(conns: LiveConns, c: number): void {
    this.grow(c + 1);
    if (conns.vantage[c]! >= this.count) return; // (a firewall-only row)
    const k = LiveVantages.key(conns, c);
    const l = this.open.get(k);
    if (l) l.push(c);
    else this.open.set(k, [c]);
  }

  private remove(conns: LiveConns, c: number): void {
    const k = LiveVantages.key(conns, c);
    const l = this.open.get(k);
    if (!l) return;
    const at = l.indexOf(c);
    if (at >= 0) l.splice(at, 1);
    if (l.length === 0) this.open.delete(k);
  }

  /** The connection c was merged into (-1: none, it is a row of its own, or that row is gone). */
  mergedInto(c: number): number {
    return c < this.into.length && this.into[c]! > 0 ? this.into[c]! - 1 : -1;
  }

  /** Whether c was merged into another row (which --keep may have dropped since: c stays hidden). */
  isMerged(c: number): boolean {
    return c < this.into.length && this.into[c] !== 0;
  }

  /**
   * Connection c is over: find it at another vantage among the connections not yet over. Returns
   * the other connection when they are the same (marks set, merged one way or the other), or -1.
   */
  settle(conns: LiveConns, chains: RowChains, packets: PacketTable, c: number, now: number): number {
    this.grow(c + 1);
    this.remove(conns, c);
    if (conns.vantage[c]! >= this.count || this.into[c]) return -1;
    const l = this.open.get(LiveVantages.key(conns, c));
    if (!l) return -1;
    const lastTs = new Array<number>(this.count).fill(now);
    for (const d of l) {
      if (conns.vantage[d] === conns.vantage[c]) continue;
      if (conns.firstTs[c]! > conns.lastTs[d]! + TIME_TOL || conns.firstTs[d]! > conns.lastTs[c]! + TIME_TOL) continue;
      const a = this.rowsOf(chains, c, true), b = this.rowsOf(chains, d, false);
      if (!alignRows(packets, a, b, conns, c, d, lastTs, false)) continue;
      alignRows(packets, a, b, conns, c, d, lastTs, true);
      this.remove(conns, d);
      const pc = conns.origPkts[c]! + conns.respPkts[c]!, pd = conns.origPkts[d]! + conns.respPkts[d]!;
      const [p, s] = pd > pc ? [d, c] : [c, d];
      this.into[s] = p + 1;
      this.mask[p]! |= conns.vantageMask[s]! | this.mask[s]!;
      if (missingIn(packets, a) || missingIn(packets, b)) this.dropped[p] = 1;
      this.merged++;
      this.hidden++;
      return d;
    }
    return -1;
  }

  private rowsOf(chains: RowChains, c: number, first: boolean): Uint32Array {
    const got = chains.rows(c, first ? this.bufA : this.bufB);
    if (first) this.bufA = got.rows;
    else this.bufB = got.rows;
    return got.rows.subarray(0, got.n);
  }

  /** After connection c's columns were synced or its verdicts computed: what its merged ones add. */
  apply(conns: LiveConns, c: number): void {
    if (c >= this.mask.length) return;
    conns.vantageMask[c]! |= this.mask[c]!;
    if (this.dropped[c]) conns.anomalies[c]! |= DROPPED;
  }

  /** The tables were compacted (--keep): old index -> new index (-1: dropped). */
  compact(newIndex: Int32Array, kept: Int32Array): void {
    const into = new Int32Array(Math.max(kept.length, 1024)), mask = new Uint32Array(into.length), dropped = new Uint8Array(into.length);
    this.hidden = 0;
    for (let k = 0; k < kept.length; k++) {
      const c = kept[k]!;
      if (c >= this.into.length) continue;
      const t = this.into[c]! - 1;
      into[k] = t < 0 ? this.into[c]! : newIndex[t]! >= 0 ? newIndex[t]! + 1 : -1;
      mask[k] = this.mask[c]!;
      dropped[k] = this.dropped[c]!;
      if (into[k] !== 0) this.hidden++;
    }
    this.into = into;
    this.mask = mask;
    this.dropped = dropped;
    for (const [key, l] of this.open) {
      const m = l.map((c) => newIndex[c]!).filter((c) => c >= 0);
      if (m.length) this.open.set(key, m);
      else this.open.delete(key);
    }
  }
}

function missingIn(packets: PacketTable, rows: Uint32Array): boolean {
  for (let k = 0; k < rows.length; k++) if (packets.mark(rows[k]!) & MARK_MISSING_ELSEWHERE) return true;
  return false;
}
