/**
 * The same TCP connection seen by several captures (vantage points): inside and outside a
 * firewall, say. Addresses may differ (NAT) and so may sequence numbers (the ASA randomizes them:
 * a constant offset per direction), so connections are matched by ports, time, and the shape of
 * their packets: direction, flags and payload length in order, with a seq offset that must stay
 * constant per direction.
 *
 * Matched packets get MARK_SEEN_ELSEWHERE; a packet that one vantage saw and another one, which saw
 * the connection at that time, did not, gets MARK_MISSING_ELSEWHERE (-> dropped-between-vantages).
 */
import { MARK_RESP } from '../model.js';
import type { PacketTable } from '../flows/packet-table.js';
import type { ConnTable } from '../flows/conn-table.js';

/** the packet was matched with the same packet at another vantage point */
export const MARK_SEEN_ELSEWHERE = 0x40;
/** the packet is missing at another vantage point that saw its connection then */
export const MARK_MISSING_ELSEWHERE = 0x80;

/** seconds two captures' clocks may disagree by, plus the time a packet takes between them */
const TIME_TOL = 2;
/** how far ahead in the other capture a matching packet is looked for */
const LOOKAHEAD = 16;

export interface VantageMatch {
  /** conn -> the conn it was merged into (the group's primary), or -1 */
  mergeInto: Int32Array;
  /** groups found (each with two or more vantages) */
  groups: number;
}

interface Grouped {
  start: Uint32Array;
  rows: Uint32Array;
}

/**
 * Match connections across vantages. `fileEnd[v]`: the last capture time of vantage v (a packet
 * after it cannot be called missing there).
 */
export function matchVantages(conns: ConnTable, packets: PacketTable, g: Grouped, fileLastTs: readonly number[]): VantageMatch {
  const n = conns.count;
  const parent = new Int32Array(n).fill(-1);
  const nv = fileLastTs.length;
  if (nv < 2) return { mergeInto: parent, groups: 0 };
  const find = (x: number): number => {
    while (parent[x]! >= 0) x = parent[x]!;
    return x;
  };
  // candidates share both ports (static NAT keeps ports; PAT is not matched yet)
  const byPorts = new Map<number, number[]>();
  for (let c = 0; c < n; c++) {
    if (conns.vantage[c]! >= nv) continue;
    const key = conns.origPort[c]! * 65536 + conns.respPort[c]!;
    const l = byPorts.get(key);
    if (l) l.push(c);
    else byPorts.set(key, [c]);
  }
  let groups = 0;
  for (const list of byPorts.values()) {
    if (list.length < 2) continue;
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        const a = list[x]!, b = list[y]!;
        if (conns.vantage[a] === conns.vantage[b]) continue;
        if (conns.firstTs[a]! > conns.lastTs[b]! + TIME_TOL || conns.firstTs[b]! > conns.lastTs[a]! + TIME_TOL) continue;
        const ra = find(a), rb = find(b);
        if (ra === rb) continue;
        const rowsA = g.rows.subarray(g.start[a]!, g.start[a + 1]!), rowsB = g.rows.subarray(g.start[b]!, g.start[b + 1]!);
        if (!alignRows(packets, rowsA, rowsB, conns, a, b, fileLastTs, false)) continue;
        alignRows(packets, rowsA, rowsB, conns, a, b, fileLastTs, true);
        // the primary keeps the most packets (usually the vantage that saw everything)
        const pa = conns.origPkts[ra]! + conns.respPkts[ra]!, pb = conns.origPkts[rb]! + conns.respPkts[rb]!;
        if (pb > pa || (pb === pa && rb < ra)) parent[ra] = rb;
        else parent[rb] = ra;
        groups++;
      }
    }
  }
  for (let c = 0; c < n; c++) if (parent[c]! >= 0) parent[c] = find(c);
  return { mergeInto: parent, groups };
}

/**
 * Walk two connections' packets (`ra` of connection a, `rb` of b, each in time order) and pair
 * equal packets. Returns whether they are the same connection (at least 60% of the shorter side
 * paired, seq offsets constant per direction); with `mark`, sets the packet marks. The live engine
 * calls it too, when one of two candidates at different interfaces is over.
 */
export function alignRows(packets: PacketTable, ra: Uint32Array, rb: Uint32Array, conns: ConnTable, a: number, b: number, fileLastTs: readonly number[], mark: boolean): boolean {
  const usedB = new Uint8Array(rb.length);
  const pairedA = new Uint8Array(ra.length);
  const off = [NaN, NaN]; // seq offset b - a per direction (0 orig, 1 resp)
  const dtSum = [0, 0], dtN = [0, 0];
  let j = 0, paired = 0;
  for (let i = 0; i < ra.length; i++) {
    const pa = ra[i]!;
    const dir = packets.mark(pa) & MARK_RESP ? 1 : 0;
    while (j < rb.length && usedB[j]) j++;
    for (let k = j; k < rb.length && k < j + LOOKAHEAD; k++) {
      if (usedB[k]) continue;
      const pb = rb[k]!;
      if ((packets.mark(pb) & MARK_RESP ? 1 : 0) !== dir) continue;
      if (packets.flags(pb) !== packets.flags(pa) || packets.len(pb) !== packets.len(pa)) continue;
      if (Math.abs(packets.ts(pb) - packets.ts(pa)) > TIME_TOL) continue;
      const d = (packets.seq(pb) - packets.seq(pa)) >>> 0;
      // a RST without ACK may carry seq 0 or the ack of the segment it answers: don't insist
      if (!Number.isNaN(off[dir]!) && d !== off[dir] && packets.seq(pa) !== 0 && packets.seq(pb) !== 0) continue;
      if (Number.isNaN(off[dir]!)) off[dir] = d;
      usedB[k] = 1;
      pairedA[i] = 1;
      paired++;
      dtSum[dir]! += packets.ts(pb) - packets.ts(pa);
      dtN[dir]!++;
      break;
    }
  }
  const same = paired >= 1 && paired >= 0.6 * Math.min(ra.length, rb.length);
  if (!same || !mark) return same;
  // which capture a direction's packets pass first (upstream): the mean time difference's sign
  const bLater = [dtN[0] ? dtSum[0]! / dtN[0]! : 0, dtN[1] ? dtSum[1]! / dtN[1]! : 0];
  const va = conns.vantage[a]!, vb = conns.vantage[b]!;
  const missing = (rows: Uint32Array, seen: Uint8Array, otherFirst: number, otherLast: number, upstreamIfLater: boolean): void => {
    for (let i = 0; i < rows.length; i++) {
      const p = rows[i]!;
      if (seen[i]) {
        packets.orMark(p, MARK_SEEN_ELSEWHERE);
        continue;
      }
      const t = packets.ts(p);
      if (t < otherFirst - TIME_TOL || t > otherLast + TIME_TOL) continue;
      const dir = packets.mark(p) & MARK_RESP ? 1 : 0;
      // only a packet that passed this capture first and never reached the other one was dropped
      // between them; one missing upstream was merely not captured there
      const d = bLater[dir]!;
      const upstream = d === 0 || (upstreamIfLater ? d > 0 : d < 0);
      if (upstream) packets.orMark(p, MARK_MISSING_ELSEWHERE);
    }
  };
  missing(ra, pairedA, conns.firstTs[b]!, fileLastTs[vb]!, true);
  missing(rb, usedB, conns.firstTs[a]!, fileLastTs[va]!, false);
  return true;
}
