/**
 * The grouping's tuple side (fw-groups.ts): each deny <-> the newest group of its tuple, in event
 * order, the Builts and Teardowns the id side listed (Regs) registered between them (those whose
 * tuples a deny may name), and the local-host lines near each (fw-local-host.ts). It reads the
 * id side's groups as far as the id side has passed (`reached`), which may be further: a Teardown
 * later than the deny in the log is not yet one for it. Its own groups (denials, orphan denies)
 * are apart until both sides are done (joinSides).
 */
import { RST } from '../model.js';
import { K_NOCONN } from '../read/asa.js';
import type { ReasonClass } from '../read/asa-reasons.js';
import { chunkIndex } from '../read/fw-chunk-index.js';
import { CHUNK_BITS, type FwTable } from '../flows/fw-table.js';
import {
  AFTER_TEARDOWN, AFTER_TIMEOUT, AFTER_TO, EventPairs, G_CONN, G_NOCONN, G_POLICY, Groups, LATE_RST, NOCONN_BURST, POLICY_BURST,
  PRE_TEARDOWN, RST_DENIED, RowTuples, denyTuples, reasonClassOf, type GroupingPlan, type Grouping,
} from './fw-groups.js';
import type { IdSideResult, Regs } from './fw-id-side.js';
import { LocalHosts } from './fw-local-host.js';
import type { TupleFilter, TupleHash } from './tuple-hash.js';

export interface TupleSideResult {
  /** the tuple side's groups; in `pairs` and the tuple hash they are numbered from `off` */
  own: Groups;
  off: number;
  pairs: EventPairs;
  /** the no-connection denies logged while a connection was open, by group: the time and flags of the last (with those of the second before it) */
  preDeny: Map<number, { t: number; flags: number }>;
  /** (local-host event, group, event): fw-local-host.ts */
  lhNear: number[];
}

/**
 * The tuple side over every chunk in order. `conn`: the id side's groups; `regs` its list, of
 * which reached(ci) returns how many are made once it has passed chunk ci; `nAddrs`: address ids
 * in use (the local-host index is by address). Yields the events passed.
 */
export function* tupleSideSteps(table: FwTable, plan: GroupingPlan, filters: Map<number, TupleFilter>, conn: Groups, regs: Regs,
  reached: (ci: number) => number, nAddrs: number): Generator<number, TupleSideResult, void> {
  const local = LocalHosts.of(table, nAddrs);
  const lhNear: number[] = [];
  const own = new Groups(plan.denyRows);
  // (the id side's groups are numbered below conn.cap: its own from there on)
  const off = conn.cap;
  const isOwn = (g: number): boolean => g >= off;
  const kindOf = (g: number): number => (g >= off ? own.kind[g - off]! : conn.kind[g]!);
  const bornOf = (g: number): number => (g >= off ? own.born[g - off]! : conn.born[g]!);
  const pairs = new EventPairs(plan.denyRows);
  const preDeny = new Map<number, { t: number; flags: number }>();
  const reasons = new Map<number, ReasonClass | undefined>();
  const rt = new RowTuples();
  let log = -1;
  let byTuple: TupleHash | undefined;
  let filter: TupleFilter | undefined;
  // the newest group of any of the row's tuples
  const lookup = (): number => {
    let best = -1;
    for (let i = 0; i < rt.ns; i++) for (let j = 0; j < rt.nd; j++) {
      const g = byTuple!.get(rt.sa[i]!, rt.sp[i]!, rt.da[j]!, rt.dp[j]!);
      if (g >= 0 && (best < 0 || bornOf(g) > bornOf(best))) best = g;
    }
    return best;
  };
  // the group becomes the newest of the row's tuples (of those a deny looks up: the others are not in byTuple)
  const register = (g: number): void => {
    for (let i = 0; i < rt.ns; i++) for (let j = 0; j < rt.nd; j++) {
      if (filter!.mayHave(rt.sa[i]!, rt.sp[i]!, rt.da[j]!, rt.dp[j]!)) byTuple!.setIfPresent(rt.sa[i]!, rt.sp[i]!, rt.da[j]!, rt.dp[j]!, g);
    }
  };

  let passed = 0, k = 0;
  yield passed;
  const ra = regs.a;
  for (let ci = 0; ci < table.chunks.length; ci++) {
    const c = table.chunks[ci]!;
    if (ci > 0) yield passed;
    passed += c.n;
    const made = reached(ci);
    if (c.log !== log) {
      log = c.log;
      filter = filters.get(log);
      byTuple = denyTuples(table, log, plan.denies.get(log)!);
    }
    const rows = chunkIndex(c).denyRows, end = (ci + 1) << CHUNK_BITS;
    for (let j = 0; ; ) {
      const re = k < made && ra[2 * k]! < end ? ra[2 * k]! : -1;
      const de = j < rows.length ? (ci << CHUNK_BITS) | rows[j]! : -1;
      if (re < 0 && de < 0) break;
      if (re >= 0 && (de < 0 || re < de)) {
        const r = re & 0xffff, mg = ra[2 * k + 1]!, g = mg < 0 ? ~mg : mg;
        // the group becomes the newest of the row's tuples, of those a deny looks up
        if (mg >= 0) {
          rt.of(c, r);
          register(g);
        }
        local?.near(c, r, c.kind[r]!, g, re, lhNear);
        k++;
        continue;
      }
      j++;
      const e = de, r = e & 0xffff, t = c.ts[r]!;
      if (!rt.of(c, r)) continue;
      let g = lookup();
      if (c.kind[r] === K_NOCONN) {
        const flags = c.flags[r]!;
        let mark = 0;
        if (g >= 0 && kindOf(g) === G_CONN) {
          // (a Teardown later in the log than this deny is not one yet, though the id side has passed it)
          let td = conn.teardown(g);
          if (td > e) td = -1;
          const since = td >= 0 ? t - table.ts(td) : NaN;
          const cls = td >= 0 ? reasonClassOf(table, td, reasons)?.teardown : undefined;
          if (td < 0) {
            mark = flags & RST ? RST_DENIED : 0;
            const pre = preDeny.get(g);
            preDeny.set(g, { t, flags: (pre && t - pre.t <= PRE_TEARDOWN ? pre.flags : 0) | flags });
          }
          else if (cls === 'timeout' && since >= -1 && since <= AFTER_TIMEOUT) mark = AFTER_TO | (flags & RST ? RST_DENIED : 0);
          else if (since >= -1 && since <= AFTER_TEARDOWN) {
            mark = flags & RST ? RST_DENIED : 0;
            // (flags 0: the firewall logs none (FortiGate); a drop of a gracefully closed tuple within
            // seconds is taken to be its late RST, the one packet a finished close still sends)
            if (cls === 'graceful' && (flags & RST || flags === 0)) mark |= LATE_RST | RST_DENIED;
          } else g = -1;
        } else if (g >= 0 && !(kindOf(g) === G_NOCONN && t - own.last(g - off) <= NOCONN_BURST)) g = -1;
        if (g < 0) {
          g = off + own.add(G_NOCONN, e, t);
          register(g);
          mark = flags & RST ? RST_DENIED : 0;
        }
        // (the id side's groups take their anomalies here: it never writes them; their span once both are done)
        if (isOwn(g)) {
          own.mark(g - off, mark);
          own.reach(g - off, t);
        } else conn.mark(g, mark);
        pairs.push(e, g);
      } else {
        if (g < 0 || kindOf(g) !== G_POLICY || t - own.first(g - off) > POLICY_BURST) {
          g = off + own.add(G_POLICY, e, t);
          register(g);
        }
        own.reach(g - off, t);
        pairs.push(e, g);
      }
    }
  }
  return { own, off, pairs, preDeny, lhNear };
}

/**
 * The grouping once both sides are done: the tuple side's groups after the id side's (their numbers
 * in its pairs moved down to follow), the order all were made in, the late packets logged just
 * before their connection's Teardown (PRE_TEARDOWN), and the span of the id side's groups to their
 * denies.
 */
export function joinSides(table: FwTable, conn: Groups, ids: IdSideResult, tuples: TupleSideResult, threads: 1 | 2): Grouping {
  const { own, off, pairs, preDeny, lhNear } = tuples;
  const reasons = new Map<number, ReasonClass | undefined>();
  for (const [g, pre] of preDeny) {
    const td = conn.teardown(g);
    if (td < 0) continue;
    const t = table.ts(td);
    if (pre.t >= t - PRE_TEARDOWN && pre.t <= t + AFTER_TEARDOWN) {
      const cls = reasonClassOf(table, td, reasons)?.teardown;
      if (cls === 'timeout') conn.mark(g, AFTER_TO);
      else if (cls === 'graceful' && pre.flags & RST) conn.mark(g, LATE_RST);
    }
  }
  const nConn = conn.n;
  const p = pairs.a;
  for (let k = 0; k < 2 * pairs.n; k += 2) {
    const g = p[k + 1]!;
    if (g >= off) p[k + 1] = g - off + nConn;
    else conn.reach(g, table.ts(p[k]!));
  }
  conn.appendAll(own);
  // the order they were made in: each side made its own in event order, a merge of the two
  if (own.n > 0 && nConn > 0 && conn.born[nConn - 1]! > conn.born[nConn]!) {
    // (shared: the verdict worker reads it, fw-verdict-thread.ts)
    const order = new Int32Array(new SharedArrayBuffer(4 * conn.n));
    for (let a = 0, b = nConn, k = 0; k < conn.n; k++) order[k] = b >= conn.n || (a < nConn && conn.born[a]! < conn.born[b]!) ? a++ : b++;
    conn.order = order;
  }
  ids.pairs.pushAll(pairs.a.subarray(0, 2 * pairs.n));
  return { groups: conn, pairs: ids.pairs, lhNear, threads };
}
