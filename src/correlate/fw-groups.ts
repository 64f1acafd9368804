/**
 * Firewall events -> the connections the log tells of ("groups"), in passes over each log in file
 * order, with hash joins only (issue 15: the old matcher compared every group with every other and
 * went quadratic). Two sides, each a pass of its own:
 * - the id side (fw-id-side.ts): Built <-> Teardown by the firewall's connection id (a hash of the
 *   connections open in the log), and a note on a connection (an 'other' event with a connection
 *   id: PAN-OS THREAT reset-both) <-> the connection of that id whose time it falls in, open,
 *   ended, or logged after it; never one of its own;
 * - the tuple side (fw-tuple-side.ts): a deny of a packet with no connection (ASA 106015) <-> the
 *   last connection of its tuple, real or NAT-mapped, when it comes right after that connection's
 *   teardown (the seed's late RST: `late-rst`, `rst-denied`) or any time after the firewall timed it
 *   out (`after-timeout`), or comes in the log up to a second before that teardown (`PRE_TEARDOWN`);
 *   else a group of its own; denies by policy (106023, 106100 denied, 106001, 710003) <-> the burst
 *   of the same tuple (a client retrying its SYN), one `denied` connection a burst.
 * The id side reads every Built and Teardown, the tuple side only the denies and the Builts and
 * Teardowns of tuples some deny names (the id side lists those: `Regs`). On a large log the id side
 * runs in a worker, the tuple side on this thread a chunk behind it (fw-group-thread.ts); else one
 * after the other here. Either way the groups are the same, made in the same order.
 */
import { anomalyBit } from '../model.js';
import { A_DMAP, A_DST, A_SMAP, A_SRC, B_DIR, S_REASON, STR_SLOTS, type FwChunk } from '../read/fw-chunk.js';
import type { ReasonClass } from '../read/asa-reasons.js';
import { reasonClassFor } from '../read/fw-reasons.js';
import { VENDORS } from '../read/syslog-envelope.js';
import type { FwTable } from '../flows/fw-table.js';
import { chunkIndex } from '../read/fw-chunk-index.js';
import { lazyBuffer } from '../flows/memory.js';
import { TupleFilter, TupleHash } from './tuple-hash.js';

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

export const PROTO_TCP = 1;

export const LATE_RST = anomalyBit('late-rst');
export const RST_DENIED = anomalyBit('rst-denied');
export const AFTER_TO = anomalyBit('after-timeout');

/** A Groups' memory, to make the same groups over it in another thread (Groups.over). */
export interface GroupsBuffers {
  cap: number;
  kind: ArrayBufferLike;
  f: ArrayBufferLike;
  born: ArrayBufferLike;
}

/**
 * The groups, sized once for the most groups the log can make (one per event of the kinds that
 * make one): the rows never reached are pages never written, which cost no memory (lazyBuffer),
 * and nothing is copied as the groups come (at 10 M lines, doubling copied ~150 MB and left the old
 * columns to the collector). A group's fields are one 32-byte record, not a column each: its
 * Teardown, which comes long after its Built, updates its end, span and anomalies in one cache
 * line instead of one line in each of four columns of 3 M groups.
 */
export class Groups {
  n = 0;
  readonly cap: number;
  readonly kind: Uint8Array;
  /** the records: first, last (float64 0, 1); built, teardown, ref, anomalies (int32 4-7) */
  private readonly f: Float64Array;
  private readonly i: Int32Array;
  /** the event each group was made at: a group made later is newer */
  readonly born: Int32Array;
  /**
   * The order the groups were made in, where it is not their index order (the two sides make
   * theirs apart: the tuple side's come after the id side's): the k-th made is order[k]. See nth.
   */
  order?: Int32Array;

  /** `shared`: in shared memory (the id side's worker fills them); `over`: over another thread's (the same groups) */
  constructor(cap: number, shared = false, over?: GroupsBuffers) {
    this.cap = cap = over ? over.cap : Math.max(1, cap);
    this.kind = new Uint8Array(over?.kind ?? lazyBuffer(cap, shared), 0, cap);
    this.f = new Float64Array(over?.f ?? lazyBuffer(cap * 32, shared), 0, cap * 4);
    this.i = new Int32Array(this.f.buffer, 0, cap * 8);
    this.born = new Int32Array(over?.born ?? lazyBuffer(cap * 4, shared), 0, cap);
  }

  buffers(): GroupsBuffers {
    return { cap: this.cap, kind: this.kind.buffer, f: this.f.buffer, born: this.born.buffer };
  }

  /** The buffers with the bytes each takes a group (PageToucher). */
  pages(): { buffer: ArrayBufferLike; bytesPerItem: number }[] {
    return [{ buffer: this.kind.buffer, bytesPerItem: 1 }, { buffer: this.f.buffer, bytesPerItem: 32 }, { buffer: this.born.buffer, bytesPerItem: 4 }];
  }

  add(kind: number, e: number, t: number): number {
    const g = this.n++;
    this.kind[g] = kind;
    this.born[g] = e;
    this.f[g * 4] = t;
    this.f[g * 4 + 1] = t;
    const o = g * 8;
    this.i[o + 4] = -1;
    this.i[o + 5] = -1;
    this.i[o + 6] = e;
    return g;
  }

  /** The k-th group made (0 <= k < n). */
  nth(k: number): number {
    return this.order ? this.order[k]! : k;
  }

  /** Add all of `from`'s groups after this one's (there is room: cap), in their order. */
  appendAll(from: Groups): void {
    const n = this.n, m = from.n;
    this.kind.set(from.kind.subarray(0, m), n);
    this.born.set(from.born.subarray(0, m), n);
    this.f.set(from.f.subarray(0, 4 * m), 4 * n);
    this.n = n + m;
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
  /** Pairs [e0, g0, e1, g1, ...] added after these. */
  pushAll(more: Int32Array): void {
    for (let k = 0; k + 1 < more.length; k += 2) this.push(more[k]!, more[k + 1]!);
  }
}

export interface Grouping {
  /** the groups (Groups.nth: in the order they were made) */
  groups: Groups;
  /**
   * the events of each group besides its Built and Teardown (Groups.built, teardown): its denies,
   * its notes, a Built logged again while it was open
   */
  pairs: EventPairs;
  /** local-host lines near a Built or Teardown, as (local-host event, group, event) (fw-local-host.ts) */
  lhNear: ArrayLike<number>;
  /** the threads that made them: 2 when the id side ran in a worker (fw-group-thread.ts) */
  threads: 1 | 2;
}

/** The teardown reason's class, by string id and vendor (cached: a log has few distinct reasons). */
export function reasonClassOf(table: FwTable, e: number, cache: Map<number, ReasonClass | undefined>): ReasonClass | undefined {
  const c = table.chunk(e);
  const id = c.str[(e & 0xffff) * STR_SLOTS + S_REASON]!;
  if (id === 0) return undefined;
  // (a reason's spelling is one vendor's: the cache is by string id and vendor)
  const key = id * 16 + c.vendor[e & 0xffff]!;
  // (one look a row: most keys are known, and a known reason has a class)
  let v = cache.get(key);
  if (v === undefined && !cache.has(key)) cache.set(key, (v = reasonClassFor(VENDORS[c.vendor[e & 0xffff]!] ?? 'ASA', table.strings[id]!)));
  return v;
}

/**
 * The tuples of a row: the real and NAT-mapped forms of each end, in every combination (a mapped
 * form equal to the real one counted once). Read from the row's columns: this runs for every
 * event, the table's accessors would look the chunk up for each field.
 */
export class RowTuples {
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

  /** Whether the filter may hold any of the row's tuples (taken by `of`). */
  anyIn(filter: TupleFilter): boolean {
    for (let i = 0; i < this.ns; i++) for (let j = 0; j < this.nd; j++) {
      if (filter.mayHave(this.sa[i]!, this.sp[i]!, this.da[j]!, this.dp[j]!)) return true;
    }
    return false;
  }
}

/** Call f with every tuple (real and mapped forms) the log's denies name. */
function eachDenyTuple(table: FwTable, log: number, f: (a: number, pa: number, b: number, pb: number) => void): void {
  const rt = new RowTuples();
  for (const c of table.chunks) {
    if (c.log !== log) continue;
    for (const r of chunkIndex(c).denyRows) {
      if (!rt.of(c, r)) continue;
      for (let i = 0; i < rt.ns; i++) for (let j = 0; j < rt.nd; j++) f(rt.sa[i]!, rt.sp[i]!, rt.da[j]!, rt.dp[j]!);
    }
  }
}

/**
 * A log's tuple join: a hash of the tuples its denies name, their keys put in before the pass. A
 * Built or Teardown stores its group only under a tuple some deny will look up, which is all a
 * lookup can see: a few per cent of a log's tuples.
 */
export function denyTuples(table: FwTable, log: number, denies: number): TupleHash {
  // (sized for a tuple a deny: most name one, the table grows if they name more)
  const byTuple = new TupleHash(denies);
  eachDenyTuple(table, log, (a, pa, b, pb) => byTuple.addKey(a, pa, b, pb));
  return byTuple;
}

/** What the passes size their tables by, per log: deny rows, whether it has notes; and the rows the id side reads. */
export interface GroupingPlan {
  /** TCP Builts and Teardowns: the most groups and registrations the id side makes */
  idRows: number;
  /** rows that look a tuple up (the most groups the tuple side makes), by log */
  denies: Map<number, number>;
  denyRows: number;
  /** logs with notes */
  notes: Set<number>;
  logs: number[];
}

export function planGrouping(table: FwTable): GroupingPlan {
  const denies = new Map<number, number>(), notes = new Set<number>(), logs: number[] = [];
  let idRows = 0, denyRows = 0;
  for (const c of table.chunks) {
    const x = chunkIndex(c);
    if (!denies.has(c.log)) {
      denies.set(c.log, 0);
      logs.push(c.log);
    }
    idRows += x.groupRows - x.denyRows.length;
    denyRows += x.denyRows.length;
    if (x.notes) notes.add(c.log);
    denies.set(c.log, denies.get(c.log)! + x.denyRows.length);
  }
  return { idRows, denies, denyRows, notes, logs };
}

/**
 * Each log's filter of the tuples its denies name (`shared`: for the id side's worker): it answers
 * most in cache, the id side asks it for every Built and Teardown.
 */
export function denyFilters(table: FwTable, plan: GroupingPlan, shared: boolean): Map<number, TupleFilter> {
  const out = new Map<number, TupleFilter>();
  for (const log of plan.logs) {
    const filter = new TupleFilter(plan.denies.get(log)!, shared);
    eachDenyTuple(table, log, (a, pa, b, pb) => filter.add(a, pa, b, pb));
    out.set(log, filter);
  }
  return out;
}

/** Whether event e's `for` (src) side initiated the connection: Built's direction, else undefined. */
export function srcIsOrig(table: FwTable, e: number): boolean | undefined {
  const dir = (table.bits(e) >> B_DIR) & 3;
  return dir === 1 ? true : dir === 2 ? false : undefined;
}
