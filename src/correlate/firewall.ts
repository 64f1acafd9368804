/**
 * Firewall events <-> connections, linear in events and connections (issue 15). The log's
 * connections (fw-groups.ts) are joined to the captured ones by a hash of their tuples (real or
 * NAT-mapped), at a time that fits once the log's clock offset is known. The offset (log time -
 * capture time) is estimated from the pairs themselves: Built vs the first packet, Teardown and
 * denies vs the last one. The ASA stamps whole seconds, so a stamp S means [S, S+1): half a second
 * is added before comparing. A log connection no capture has becomes a connection of its own
 * (log-only: no packets, so no conn_state or history; its class from the firewall's reason).
 */
import { FIN, RST, SYN } from '../model.js';
import { A_DMAP, A_DST, A_SMAP, A_SRC } from '../read/fw-chunk.js';
import { K_BUILT } from '../read/asa.js';
import type { AddrTable } from '../flows/addr-table.js';
import type { ConnTable } from '../flows/conn-table.js';
import { CHUNK_BITS, type FwTable } from '../flows/fw-table.js';
import { G_CONN, type EventPairs, type Groups } from './fw-groups.js';
import { groupEventSteps, type GroupThread } from './fw-group-thread.js';
import { finish } from '../flows/steps.js';
import { chunkIndex } from '../read/fw-chunk-index.js';
import { TupleHash } from './tuple-hash.js';
import { BOTH_ENDS, LOG_BLOCK, logOnlyRows, type RowColumns } from './fw-group-verdict.js';
import { inBlocks, type VerdictShare, type VerdictThread } from './fw-verdict-thread.js';

export { LOG_ONLY, reasonSide } from './fw-group-verdict.js';

export interface Correlation {
  /** estimated log time - capture time, seconds (0 when nothing matched) */
  offset: number;
  /** how many event/connection pairs the estimate rests on */
  offsetPairs: number;
  /** connections created for log connections no capture has: those from logOnlyBase on (before renumbering) */
  logOnly: number;
  logOnlyBase: number;
  /** how their rows' blocks were shared between the threads */
  rowsShare: VerdictShare;
  groups: Groups;
  /** the groups' events besides their Built and Teardown (fw-groups.ts) */
  pairs: EventPairs;
  /** local-host lines attached to log connections that became connections, as (local-host event, group) */
  lhPairs: Int32Array;
  /** the connection each log connection became or joined (-1: none), and any at other vantages */
  groupConn: Int32Array;
  groupExtra: Map<number, number[]>;
}

export interface CorrelateOptions {
  /** the largest clock offset to look for, seconds (--skew) */
  skew?: number;
  /** the grouping's second thread (fw-group-thread.ts): 'never' unless told */
  thread?: GroupThread;
  /** the log-only connections' second thread (fw-verdict-thread.ts), for their rows, in blocks of `block` groups (LOG_BLOCK) */
  helper?: Pick<VerdictThread, 'run'>;
  block?: number;
}

/** slack around a connection's packets once the offset is applied, seconds */
const TOL = 2;

/** Captured connections by tuple: the first of a tuple in the hash, the rest chained. */
function indexConns(conns: ConnTable, n: number): { head: TupleHash; next: Int32Array } {
  const head = new TupleHash(n);
  const next = new Int32Array(n).fill(-1);
  for (let c = n - 1; c >= 0; c--) {
    const o = conns.origAddr[c]!, op = conns.origPort[c]!, r = conns.respAddr[c]!, rp = conns.respPort[c]!;
    next[c] = head.get(o, op, r, rp);
    head.set(o, op, r, rp, c);
  }
  return { head, next };
}

function median(xs: Float64Array): number {
  if (xs.length === 0) return 0;
  const s = Float64Array.from(xs).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function correlateFirewall(table: FwTable, conns: ConnTable, addrs: AddrTable, opts: CorrelateOptions = {}): Correlation {
  return finish(correlateSteps(table, conns, addrs, opts));
}

/** correlateFirewall a step at a time (fw-group-thread.ts groupEventSteps): each step yields the events the grouping has passed. */
export function* correlateSteps(table: FwTable, conns: ConnTable, addrs: AddrTable, opts: CorrelateOptions = {}): Generator<number, Correlation, void> {
  const skew = opts.skew ?? 300;
  const { groups, pairs, lhNear } = yield* groupEventSteps(table, addrs.count, opts.thread);
  const nCaptured = conns.count;
  const G = groups.n;
  const half = table.chunks.some((c) => chunkIndex(c).fraction) ? 0 : 0.5;

  // candidates: captured connections of any of the group's tuples
  const idx = nCaptured ? indexConns(conns, nCaptured) : undefined;
  // (scratch: the real and mapped forms of each end, and the connections already handed out)
  const a = new Int32Array(2), pa = new Int32Array(2), b = new Int32Array(2), pb = new Int32Array(2);
  const seen: number[] = [];
  const cands = (g: number, f: (c: number) => void): void => {
    if (!idx) return;
    const e = groups.ref(g);
    a[0] = table.addr(e, A_SRC); a[1] = table.addr(e, A_SMAP);
    pa[0] = table.port(e, A_SRC); pa[1] = table.port(e, A_SMAP);
    b[0] = table.addr(e, A_DST); b[1] = table.addr(e, A_DMAP);
    pb[0] = table.port(e, A_DST); pb[1] = table.port(e, A_DMAP);
    if (pa[1]! < 0) pa[1] = pa[0]!;
    if (pb[1]! < 0) pb[1] = pb[0]!;
    seen.length = 0;
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
      if (a[i]! < 0 || b[j]! < 0 || pa[i]! < 0 || pb[j]! < 0) continue;
      for (let c = idx.head.get(a[i]!, pa[i]!, b[j]!, pb[j]!); c >= 0; c = idx.next[c]!) {
        if (!seen.includes(c)) {
          seen.push(c);
          f(c);
        }
      }
    }
  };

  // pass 1: pairs within the skew bound -> offset
  const deltas: number[] = [];
  if (idx) {
    for (let g = 0; g < G; g++) {
      const bt = groups.built(g), td = groups.teardown(g);
      cands(g, (c) => {
        const f = conns.firstTs[c]!, l = conns.lastTs[c]!;
        const t0 = groups.first(g) + half, t1 = groups.last(g) + half;
        if (t1 < f - skew || t0 > l + skew) return;
        // Built vs the handshake, Teardown vs the close, a later deny vs the last packet: only
        // where the capture holds that moment (one that starts or ends inside the connection does not)
        const seen = conns.flagsOrig[c]! | conns.flagsResp[c]!;
        if (bt >= 0 && seen & SYN) deltas.push(table.ts(bt) + half - f);
        if (td >= 0 && seen & (FIN | RST)) deltas.push(table.ts(td) + half - l);
        if (td < 0 ? groups.kind[g] !== G_CONN : groups.last(g) > table.ts(td)) deltas.push(t1 - l);
      });
    }
  }
  const offset = median(Float64Array.from(deltas));

  // pass 2: each log connection joins, per vantage, a captured connection within TOL of its span:
  // with a Built, the one that starts nearest it (a 4-tuple split as Zeek splits it, after an idle
  // gap or a reuse, has several rows within reach: the firewall's connection is the row it opened,
  // not a later row its late denies overlap); without one, the closest, then the nearest start
  // (shared: the verdict worker reads it, fw-verdict-thread.ts)
  const groupConn = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, G)), 0, G).fill(-1);
  const groupExtra = new Map<number, number[]>();
  if (idx) {
    for (let g = 0; g < G; g++) {
      const t0 = groups.first(g) + half - offset, t1 = groups.last(g) + half - offset;
      const built = groups.built(g) >= 0;
      let best: Map<number, { c: number; d: number; s: number }> | undefined;
      cands(g, (c) => {
        const f = conns.firstTs[c]!, l = conns.lastTs[c]!;
        if (t1 < f - TOL || t0 > l + TOL) return;
        const d = t1 < f ? f - t1 : t0 > l ? t0 - l : 0;
        const s = Math.abs(f - t0);
        const v = conns.vantage[c]!;
        best ??= new Map();
        const b = best.get(v);
        if (!b || (built ? s < b.s || (s === b.s && d < b.d) : d < b.d || (d === b.d && s < b.s))) best.set(v, { c, d, s });
      });
      if (best) for (const b of best.values()) {
        if (groupConn[g]! < 0) groupConn[g] = b.c;
        else (groupExtra.get(g) ?? groupExtra.set(g, []).get(g)!).push(b.c);
      }
    }
  }

  // log connections no capture has: connections of their own
  const { made: logOnly, share: rowsShare } = addLogOnly(table, groups, groupConn, conns, offset, opts.helper, opts.block);

  // the local-host lines near a Built or Teardown of a log connection that became a connection
  // (a Built still its group's: a later Built of the same id replaced it)
  const lh: number[] = [];
  for (let k = 0; k < lhNear.length; k += 3) {
    const x = lhNear[k]!, g = lhNear[k + 1]!, e = lhNear[k + 2]!;
    if (groupConn[g]! < 0 || (table.kind(e) === K_BUILT && groups.built(g) !== e)) continue;
    lh.push(x, g);
  }
  return { offset, offsetPairs: deltas.length, logOnly, logOnlyBase: conns.count - logOnly, rowsShare, groups, pairs, lhPairs: Int32Array.from(lh), groupConn, groupExtra };
}

/**
 * The log connections no capture has (groupConn -1) as connections of their own, in the order
 * the groups were made (the connections' rows keep it), written straight into the connection
 * columns (3 M of them at 10 M lines: no call and no accessor per field); a group whose line does
 * not name both ends makes none. Numbered here, their rows written in blocks by this thread and,
 * given, the helper's worker (fw-group-verdict.ts logOnlyRows: each reads its Teardown's row, far
 * in the file for a long connection). Returns how many were made, and how the blocks were shared.
 */
function addLogOnly(table: FwTable, groups: Groups, groupConn: Int32Array, conns: ConnTable, offset: number,
  helper?: Pick<VerdictThread, 'run'>, block = LOG_BLOCK): { made: number; share: VerdictShare } {
  let unmatched = 0;
  for (let g = 0; g < groups.n; g++) if (groupConn[g]! < 0) unmatched++;
  conns.reserve(unmatched);
  const base = conns.count;
  let c = base;
  for (let k = 0; k < groups.n; k++) {
    const g = groups.nth(k);
    if (groupConn[g]! >= 0) continue;
    const e = groups.ref(g);
    if ((table.chunks[e >>> CHUNK_BITS]!.amask[e & 0xffff]! & BOTH_ENDS) === BOTH_ENDS) groupConn[g] = c++;
  }
  const cols: RowColumns = conns;
  const share = inBlocks(helper, { kind: 'rows', table, groups, groupConn, base, offset, cols }, groups.n, block,
    (from, to) => logOnlyRows(table, groups, groupConn, cols, base, offset, from, to));
  conns.appendWritten(c - base);
  return { made: c - base, share };
}

