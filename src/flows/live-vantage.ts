/**
 * Live capture on several interfaces (`-i inside -i outside`): each interface is a vantage, and the
 * same connection seen at two of them becomes one row, as the batch does with two capture files
 * (correlate/vantage.ts, whose packet alignment this reuses).
 *
 * The batch matches once, with every packet read. Live, a pair is matched twice:
 * - early, so that an open connection is not listed once an interface: when a connection has
 *   EARLY packets it is aligned (once) with the candidates at the other vantages, and when it is
 *   the same as one, the newer of the two is hidden behind the older;
 * - finally, when the first of the two is over (closed plus the grace, or idle): both vantages saw
 *   the same packets within milliseconds, so the other one is over or nearly so, and what each
 *   saw is known. The pair is aligned again with every packet, the one with more packets stays the
 *   row (the primary), the other is merged into it: hidden from the list and the output, its
 *   vantage added to the row's, its packets marked seen or missing at the other vantage. A packet
 *   that crossed one interface and never reached the other makes the row dropped-between-vantages.
 * The candidates are the connections not yet over, by their ports (NAT may change addresses, not
 * the ports of a static translation; PAT is not matched, as in the batch).
 *
 * Cost: a map entry per connection not yet over; at most two alignments per connection.
 */
import { anomalyBit } from '../model.js';
import { alignRows, MARK_MISSING_ELSEWHERE } from '../correlate/vantage.js';
import type { PacketTable } from './packet-table.js';
import type { LiveConns, RowChains } from './live-conns.js';

/** seconds two interfaces' views of one connection may start or end apart */
const TIME_TOL = 2;
/** packets a connection has when it is first aligned with the other vantages (a handshake and one more) */
const EARLY = 4;
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
  /** connection -> the one it was matched with early (+ 1; 0: none), both ways, until the pair is over */
  private peer = new Int32Array(0);
  /** 1: it was aligned early (whatever the outcome) */
  private tried = new Uint8Array(0);
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
    const into = new Int32Array(m), mask = new Uint32Array(m), dropped = new Uint8Array(m), peer = new Int32Array(m), tried = new Uint8Array(m);
    into.set(this.into);
    mask.set(this.mask);
    dropped.set(this.dropped);
    peer.set(this.peer);
    tried.set(this.tried);
    this.into = into;
    this.mask = mask;
    this.dropped = dropped;
    this.peer = peer;
    this.tried = tried;
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

  /** The candidate at another vantage that connection c's packets align with (none: -1). */
  private match(conns: LiveConns, chains: RowChains, packets: PacketTable, c: number, lastTs: readonly number[]): number {
    const l = this.open.get(LiveVantages.key(conns, c));
    if (!l) return -1;
    for (const d of l) {
      if (conns.vantage[d] === conns.vantage[c] || this.into[d] || this.peer[d]) continue;
      if (conns.firstTs[c]! > conns.lastTs[d]! + TIME_TOL || conns.firstTs[d]! > conns.lastTs[c]! + TIME_TOL) continue;
      if (alignRows(packets, this.rowsOf(chains, c, true), this.rowsOf(chains, d, false), conns, c, d, lastTs, false)) return d;
    }
    return -1;
  }

  /**
   * Early: connection c (not over, its columns synced) has grown; once it has EARLY packets it is
   * aligned with the candidates, and hidden behind the one it matches, or that one behind it (the
   * older stays the row). Returns the one it matched (-1: none).
   */
  early(conns: LiveConns, chains: RowChains, packets: PacketTable, c: number, now: number): number {
    if (c >= this.tried.length || this.tried[c] || this.into[c] || this.peer[c] || conns.vantage[c]! >= this.count) return -1;
    if (conns.origPkts[c]! + conns.respPkts[c]! < EARLY) return -1;
    this.tried[c] = 1;
    const d = this.match(conns, chains, packets, c, new Array<number>(this.count).fill(now));
    if (d < 0) return -1;
    this.peer[c] = d + 1;
    this.peer[d] = c + 1;
    const [p, s] = d < c ? [d, c] : [c, d];
    this.into[s] = p + 1;
    this.hidden++;
    this.mask[p]! |= conns.vantageMask[s]!;
    return d;
  }

  /**
   * Connection c is over: find it at another vantage among the connections not yet over (its early
   * match first). Returns the other connection when they are the same (marks set, merged one way
   * or the other), or -1.
   */
  settle(conns: LiveConns, chains: RowChains, packets: PacketTable, c: number, now: number): number {
    this.grow(c + 1);
    this.remove(conns, c);
    if (conns.vantage[c]! >= this.count) return -1;
    const lastTs = new Array<number>(this.count).fill(now);
    let d = this.peer[c]! - 1;
    if (d >= 0) {
      // (matched early: undone, then the pair aligned again with all its packets)
      this.peer[c] = this.peer[d] = 0;
      const s = this.into[c] ? c : d;
      this.into[s] = 0;
      this.hidden--;
      if (!alignRows(packets, this.rowsOf(chains, c, true), this.rowsOf(chains, d, false), conns, c, d, lastTs, false)) d = -1;
    } else if (this.into[c]) return -1;
    if (d < 0) d = this.match(conns, chains, packets, c, lastTs);
    if (d < 0) return -1;
    const a = this.rowsOf(chains, c, true), b = this.rowsOf(chains, d, false);
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
    const peer = new Int32Array(into.length), tried = new Uint8Array(into.length);
    this.hidden = 0;
    for (let k = 0; k < kept.length; k++) {
      const c = kept[k]!;
      if (c >= this.into.length) continue;
      const t = this.into[c]! - 1;
      into[k] = t < 0 ? this.into[c]! : newIndex[t]! >= 0 ? newIndex[t]! + 1 : -1;
      mask[k] = this.mask[c]!;
      dropped[k] = this.dropped[c]!;
      tried[k] = this.tried[c]!;
      const q = this.peer[c]! - 1;
      peer[k] = q >= 0 && newIndex[q]! >= 0 ? newIndex[q]! + 1 : 0;
      if (into[k] !== 0) this.hidden++;
    }
    this.into = into;
    this.mask = mask;
    this.dropped = dropped;
    this.peer = peer;
    this.tried = tried;
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
