/**
 * Firewall events -> the connections the log tells of ("groups"), in one pass over each log in
 * file order, with hash joins only (issue 15: the old matcher compared every group with every
 * other and went quadratic):
 * - Built <-> Teardown by the firewall's connection id (a Map of the connections open in the log);
 * - a deny of a packet with no connection (ASA 106015) <-> the last connection of its tuple, real or
 *   NAT-mapped, when it comes right after that connection's teardown (the seed's late RST: `late-rst`,
 *   `rst-denied`) or any time after the firewall timed it out (`after-timeout`), or comes in the log up to
 *   a second before that teardown (`PRE_TEARDOWN`); else a group of its own;
 * - denies by policy (106023, 106100 denied, 106001, 710003) <-> the burst of the same tuple (a
 *   client retrying its SYN), one `denied` connection a burst;
 * - a note on a connection (an 'other' event with a connection id: PAN-OS THREAT reset-both) <-> the
 *   connection of that id whose time it falls in, open, ended, or logged after it; never one of its own.
 */
import { RST, anomalyBit } from '../model.js';
import { A_DMAP, A_DST, A_SMAP, A_SRC, B_DIR, B_PROTO, S_REASON, STR_SLOTS, connIdAt, type FwChunk } from '../read/fw-chunk.js';
import { K_BUILT, K_DENY, K_NOCONN, K_OTHER, K_TEARDOWN } from '../read/asa.js';
import type { ReasonClass } from '../read/asa-reasons.js';
import { reasonClassFor } from '../read/fw-reasons.js';
import { VENDORS } from '../read/syslog-envelope.js';
import { CHUNK_BITS, type FwTable } from '../flows/fw-table.js';
import { chunkIndex } from '../read/fw-chunk-index.js';
import { lazyArray } from '../flows/memory.js';
import { IdHash, TupleFilter, TupleHash } from './tuple-hash.js';
import type { LocalHosts } from './fw-local-host.js';

export const G_CONN = 0;
export const G_POLICY = 1;
export const G_NOCONN = 2;

/** a deny this soon after a teardown is that connection's straggler (seconds, stamps in whole seconds) */
export const AFTER_TEARDOWN = 5;
/** a deny of a timed-out connection's tuple this long after the timeout is still its packet */
export const AFTER_TIMEOUT = 24 * 3600;
/** denies by policy of one tuple within this of the first are one attempt (SYN retries) */
export const POLICY_BURST = 30;
/**
 * a deny written before its connection's teardown but stamped at most this much earlier is its late
 * packet all the same (seconds): netfilter's kernel logs the packet at once, while the conntrack
 * event of the entry that packet found expired reaches its listener (`conntrack -E`) a little later
 */
export const PRE_TEARDOWN = 1;
/** orphan no-connection denies of one tuple this close together are one connection's */
export const NOCONN_BURST = 60;
/** a note this far outside its connection's span (start to end, seconds) is still its own */
export const NOTE_SLACK = 2;

const PROTO_TCP = 1;

const LATE_RST = anomalyBit('late-rst');
const RST_DENIED = anomalyBit('rst-denied');
const AFTER_TO = anomalyBit('after-timeout');

/**
 * The groups, sized once for the most groups the log can make (one per event of the kinds that
 * make one): the rows never reached are pages never written, which cost no memory (lazyArray),
 * and nothing is copied as the groups come (at 10 M lines, doubling copied ~150 MB and left the old
 * columns to the collector). A group's fields are one 32-byte record, not a column each: its
 * Teardown, which comes long after its Built, updates its end, span and anomalies in one cache
 * line instead of one line in each of four columns of 3 M groups.
 */
export class Groups {
  n = 0;
  readonly kind: Uint8Array;
  /** the records: first, last (float64 0, 1); built, teardown, ref, anomalies (int32 4-7) */
  private readonly f: Float64Array;
  private readonly i: Int32Array;

  constructor(readonly cap: number) {
    this.kind = lazyArray(Uint8Array, cap);
    this.f = lazyArray(Float64Array, cap * 4);
    this.i = new Int32Array(this.f.buffer, 0, cap * 8);
  }

  add(kind: number, e: number, t: number): number {
    const g = this.n++;
    this.kind[g] = kind;
    this.f[g * 4] = t;
    this.f[g * 4 + 1] = t;
    const o = g * 8;
    this.i[o + 4] = -1;
    this.i[o + 5] = -1;
    this.i[o + 6] = e;
    return g;
  }

  /** time of the group's first and last event */
  first(g: number): number { return this.f[g * 4]!; }
  last(g: number): number { return this.f[g * 4 + 1]!; }
  /** event index of the Built / Teardown, -1 when the log has none */
  built(g: number): number { return this.i[g * 8 + 4]!; }
  teardown(g: number): number { return this.i[g * 8 + 5]!; }
  /** the event the group's tuple comes from */
  ref(g: number): number { return this.i[g * 8 + 6]!; }
  /** anomalies the log alone shows */
  anomalies(g: number): number { return this.i[g * 8 + 7]! >>> 0; }

  /** widen the span to time t */
  span(g: number, t: number): void {
    if (t < this.f[g * 4]!) this.f[g * 4] = t;
    if (t > this.f[g * 4 + 1]!) this.f[g * 4 + 1] = t;
  }
  setBuilt(g: number, e: number): void {
    this.i[g * 8 + 4] = e;
    this.i[g * 8 + 6] = e;
  }
  setTeardown(g: number, e: number): void { this.i[g * 8 + 5] = e; }
  mark(g: number, anomalies: number): void { this.i[g * 8 + 7]! |= anomalies; }
  /** a later event at time t (the span's end only) */
  reach(g: number, t: number): void {
    if (t > this.f[g * 4 + 1]!) this.f[g * 4 + 1] = t;
  }
}

/**
 * (event, group) pairs, two ints each, in a buffer that doubles: the events of the groups besides
 * their Built and Teardown, which the groups hold (an Int32Array of every event's group was 40 MB
 * at 10 M lines, and the pass that listed each connection's events read all of it twice).
 */
export class EventPairs {
  n = 0;
  a: Int32Array;
  constructor(expected: number) {
    this.a = new Int32Array(2 * Math.max(1024, expected));
  }
  push(e: number, g: number): void {
    if (2 * this.n === this.a.length) {
      const b = new Int32Array(2 * this.a.length);
      b.set(this.a);
      this.a = b;
    }
    this.a[2 * this.n] = e;
    this.a[2 * this.n++ + 1] = g;
  }
}

export interface Grouping {
  groups: Groups;
  /**
   * the events of each group besides its Built and Teardown (Groups.built, teardown): its denies,
   * its notes, a Built logged again while it was open
   */
  pairs: EventPairs;
  /** local-host lines near a Built or Teardown, as (local-host event, group, event) (fw-local-host.ts) */
  lhNear: number[];
}

/** The teardown reason's class, by string id and vendor (cached: a log has few distinct reasons). */
export function reasonClassOf(table: FwTable, e: number, cache: Map<number, ReasonClass | undefined>): ReasonClass | undefined {
  const c = table.chunk(e);
  const id = c.str[(e & 0xffff) * STR_SLOTS + S_REASON]!;
  if (id === 0) return undefined;
  // (a reason's spelling is one vendor's: the cache is by string id and vendor)
  const key = id * 16 + c.vendor[e & 0xffff]!;
  if (!cache.has(key)) cache.set(key, reasonClassFor(VENDORS[c.vendor[e & 0xffff]!] ?? 'ASA', table.strings[id]!));
  return cache.get(key);
}

/**
 * The tuples of a row: the real and NAT-mapped forms of each end, in every combination (a mapped
 * form equal to the real one counted once). Read from the row's columns: this runs for every
 * event, the table's accessors would look the chunk up for each field.
 */
class RowTuples {
  readonly sa = [0, 0];
  readonly sp = [0, 0];
  readonly da = [0, 0];
  readonly dp = [0, 0];
  ns = 0;
  nd = 0;

  /** Take row r's tuples; false when it lacks an end's address or port. */
  of(c: FwChunk, r: number): boolean {
    const { sa, sp, da, dp } = this;
    this.ns = this.nd = 0;
    const m = c.amask[r]!;
    // both ends' address and port (amask: bit s the address of slot s, bit 8 + s its port)
    const need = (1 << A_SRC) | (1 << A_DST) | (0x100 << A_SRC) | (0x100 << A_DST);
    if ((m & need) !== need) return false;
    const o = r * 4, addr = c.addr, port = c.port;
    sa[0] = addr[o + A_SRC]!; sp[0] = port[o + A_SRC]!; da[0] = addr[o + A_DST]!; dp[0] = port[o + A_DST]!;
    this.ns = this.nd = 1;
    if (m & (1 << A_SMAP)) {
      sa[1] = addr[o + A_SMAP]!; sp[1] = m & (0x100 << A_SMAP) ? port[o + A_SMAP]! : sp[0]!;
      if (sa[1] !== sa[0] || sp[1] !== sp[0]) this.ns = 2;
    }
    if (m & (1 << A_DMAP)) {
      da[1] = addr[o + A_DMAP]!; dp[1] = m & (0x100 << A_DMAP) ? port[o + A_DMAP]! : dp[0]!;
      if (da[1] !== da[0] || dp[1] !== dp[0]) this.nd = 2;
    }
    return true;
  }
}

/**
 * The tuple join of one log: a hash of the tuples its denies name, their keys put in before the
 * pass, and a filter of the same. A Built or Teardown stores its group only under a tuple some deny
 * will look up (the filter answers most in cache; the table is asked for the rest), which is all a
 * lookup can see: the table holds the deny tuples only, a few per cent of a log's tuples.
 */
function denyTuples(table: FwTable, log: number, denies: number, rt: RowTuples): { byTuple: TupleHash; filter: TupleFilter } {
  // (sized for a tuple a deny: most name one, the table grows if they name more)
  const byTuple = new TupleHash(denies), filter = new TupleFilter(denies);
  for (const c of table.chunks) {
    if (c.log !== log) continue;
    for (const r of chunkIndex(c).denyRows) {
      if (!rt.of(c, r)) continue;
      for (let i = 0; i < rt.ns; i++) for (let j = 0; j < rt.nd; j++) {
        byTuple.addKey(rt.sa[i]!, rt.sp[i]!, rt.da[j]!, rt.dp[j]!);
        filter.add(rt.sa[i]!, rt.sp[i]!, rt.da[j]!, rt.dp[j]!);
      }
    }
  }
  return { byTuple, filter };
}

/**
 * The groups, a step at a time: each step yields the events passed so far (after each chunk), so
 * that a loader that must stay responsive (the UI's: its keys and its progress bar) can pause
 * between steps (flows/steps.ts runs them). The pass over a 10 M-line log is ~3 s.
 */
export function* groupEventSteps(table: FwTable, local?: LocalHosts): Generator<number, Grouping, void> {
  // per log: the denies that look a tuple up, and whether it has notes (kept only in a log that has any)
  let most = 0;
  const denies = new Map<number, number>(), hasNotes = new Set<number>();
  for (const c of table.chunks) {
    const x = chunkIndex(c);
    most += x.groupRows;
    if (x.notes) hasNotes.add(c.log);
    denies.set(c.log, (denies.get(c.log) ?? 0) + x.denyRows.length);
  }
  const groups = new Groups(most);
  // time and TCP flags (all of them within PRE_TEARDOWN) of the no-connection denies logged while
  // a group was open, by group, until its teardown (rare: kept apart, not a column of every group)
  const preDeny = new Map<number, { t: number; flags: number }>();
  let nDenies = 0;
  for (const d of denies.values()) nDenies += d;
  const pairs = new EventPairs(nDenies);
  const reasons = new Map<number, ReasonClass | undefined>();
  const rt = new RowTuples();
  const lhNear: number[] = [];
  let log = -1;
  let byId = new IdHash();
  let byTuple = new TupleHash(1024);
  let filter = new TupleFilter(0);
  // notes: those waiting for their connection, by id, and the last ended connection of each id
  let notes = false;
  let pending = new Map<number, number[]>();
  let ended = new Map<number, number>();
  const spans = (g: number, e: number): boolean => {
    const bt = groups.built(g), td = groups.teardown(g), t = table.ts(e);
    const start = bt >= 0 ? table.ts(bt) : table.ts(td) - (Number.isFinite(table.duration(td)) ? table.duration(td) : 0);
    return t >= start - NOTE_SLACK && (td < 0 || t <= table.ts(td) + NOTE_SLACK);
  };
  // the newest group of any of the row's tuples
  const lookup = (): number => {
    let best = -1;
    for (let i = 0; i < rt.ns; i++) for (let j = 0; j < rt.nd; j++) {
      const g = byTuple.get(rt.sa[i]!, rt.sp[i]!, rt.da[j]!, rt.dp[j]!);
      if (g > best) best = g;
    }
    return best;
  };
  // the group becomes the newest of the row's tuples (of those a deny looks up: the others are not in byTuple)
  const register = (g: number): void => {
    for (let i = 0; i < rt.ns; i++) for (let j = 0; j < rt.nd; j++) {
      if (filter.mayHave(rt.sa[i]!, rt.sp[i]!, rt.da[j]!, rt.dp[j]!)) byTuple.setIfPresent(rt.sa[i]!, rt.sp[i]!, rt.da[j]!, rt.dp[j]!, g);
    }
  };

  let passed = 0;
  yield passed;
  for (let ci = 0; ci < table.chunks.length; ci++) {
    const c = table.chunks[ci]!;
    if (ci > 0) yield passed;
    passed += c.n;
    if (c.log !== log) {
      // a firewall's connection ids and tuples are its own: each log starts afresh
      log = c.log;
      byId = new IdHash();
      notes = hasNotes.has(log);
      pending = new Map();
      ended = new Map();
      ({ byTuple, filter } = denyTuples(table, log, denies.get(log)!, rt));
    }
    for (let r = 0; r < c.n; r++) {
      const kind = c.kind[r]!;
      if (((c.bits[r]! >> B_PROTO) & 3) !== PROTO_TCP && kind !== K_NOCONN) continue;
      const e = (ci << CHUNK_BITS) | r;
      const t = c.ts[r]!;
      if (kind === K_BUILT || kind === K_TEARDOWN) {
        const id = connIdAt(c, r);
        if (Number.isNaN(id) || !rt.of(c, r)) continue;
        let g = byId.get(id);
        if (g < 0) {
          g = groups.add(G_CONN, e, t);
          if (kind === K_BUILT) byId.set(id, g);
        } else if (kind === K_TEARDOWN) byId.delete(id);
        if (kind === K_BUILT) {
          // (a Built again while the connection is open: the group keeps the last, the earlier is one of its events)
          const was = groups.built(g);
          if (was >= 0) pairs.push(was, g);
          groups.setBuilt(g, e);
        } else {
          groups.setTeardown(g, e);
          // its late packets logged just before it (see PRE_TEARDOWN)
          const pre = preDeny.size ? preDeny.get(g) : undefined;
          if (pre) preDeny.delete(g);
          if (pre && pre.t >= t - PRE_TEARDOWN && pre.t <= t + AFTER_TEARDOWN) {
            const cls = reasonClassOf(table, e, reasons)?.teardown;
            if (cls === 'timeout') groups.mark(g, AFTER_TO);
            else if (cls === 'graceful' && pre.flags & RST) groups.mark(g, LATE_RST);
          }
        }
        groups.span(g, t);
        register(g);
        local?.near(c, r, kind, g, e, lhNear);
        if (notes) {
          if (kind === K_TEARDOWN) ended.set(id, g);
          const waiting = pending.get(id);
          if (waiting) {
            pending.delete(id);
            for (const x of waiting) if (spans(g, x)) pairs.push(x, g);
          }
        }
      } else if (kind === K_OTHER) {
        const id = connIdAt(c, r);
        if (!notes || Number.isNaN(id)) continue;
        let g = byId.get(id);
        if (g < 0) {
          const h = ended.get(id);
          if (h !== undefined && spans(h, e)) g = h;
        }
        if (g >= 0) pairs.push(e, g);
        else (pending.get(id) ?? pending.set(id, []).get(id)!).push(e);
      } else if (kind === K_NOCONN) {
        if (!rt.of(c, r)) continue;
        const flags = c.flags[r]!;
        let g = lookup();
        let mark = 0;
        if (g >= 0 && groups.kind[g] === G_CONN) {
          const td = groups.teardown(g);
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
        } else if (g >= 0 && !(groups.kind[g] === G_NOCONN && t - groups.last(g) <= NOCONN_BURST)) g = -1;
        if (g < 0) {
          g = groups.add(G_NOCONN, e, t);
          register(g);
          mark = flags & RST ? RST_DENIED : 0;
        }
        groups.mark(g, mark);
        groups.reach(g, t);
        pairs.push(e, g);
      } else if (kind === K_DENY) {
        if (!rt.of(c, r)) continue;
        let g = lookup();
        if (g < 0 || groups.kind[g] !== G_POLICY || t - groups.first(g) > POLICY_BURST) {
          g = groups.add(G_POLICY, e, t);
          register(g);
        }
        groups.reach(g, t);
        pairs.push(e, g);
      }
    }
  }
  return { groups, pairs, lhNear };
}

/** Whether event e's `for` (src) side initiated the connection: Built's direction, else undefined. */
export function srcIsOrig(table: FwTable, e: number): boolean | undefined {
  const dir = (table.bits(e) >> B_DIR) & 3;
  return dir === 1 ? true : dir === 2 ? false : undefined;
}
