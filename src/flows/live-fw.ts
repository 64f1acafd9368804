/**
 * Firewall events <-> live connections, per event, by hash joins on the tuple (real or
 * NAT-mapped forms, as the batch's fw-groups.ts and firewall.ts join them), with the batch's
 * rules for what an event tells: a Built clears `midstream`; a Teardown gives the firewall's byte
 * count and its class and closing side where the packets do not contradict it (logMayTell); a
 * no-connection deny of the tuple after its Teardown is `rst-denied` (a RST), `late-rst` (after a
 * graceful close) or `after-timeout`, and one just before its Teardown counts as after it
 * (PRE_TEARDOWN); a policy deny gives `denied`; a denied RST is linked to the packet it denies.
 *
 * An event whose connection has no packet yet waits for it (PENDING seconds of capture time:
 * syslog and a buffered capture do not arrive in step); one that finds none becomes a row of its
 * own (firewall-only), as in the batch: a Built/Teardown pair by the firewall's connection id,
 * policy denies by burst (POLICY_BURST), orphan no-connection denies by burst (NOCONN_BURST).
 *
 * Differences from the batch: the log clock's offset from the capture's is a running median of
 * the pairs joined so far (not of the whole run); local-host events (609001/609002) are not
 * attached; events are joined to one capture's connections.
 */
import { CLOSED_BY, FIN, NO_CONN_STATE, RST, SYN, TEARDOWNS, anomalyBit, type Teardown } from '../model.js';
import { A_DMAP, A_DST, A_SMAP, A_SRC, B_PROTO, newChunk } from '../read/fw-chunk.js';
import { CHUNK_BITS } from './fw-table.js';
import { K_BUILT, K_DENY, K_LH_BUILT, K_LH_TEARDOWN, K_NOCONN, K_OTHER, K_TEARDOWN } from '../read/asa.js';
import type { ReasonClass } from '../read/asa-reasons.js';
import type { SyslogOptions } from '../read/syslog.js';
import { LOG_ONLY, reasonSide } from '../correlate/firewall.js';
import { AFTER_TEARDOWN, AFTER_TIMEOUT, NOCONN_BURST, POLICY_BURST, PRE_TEARDOWN, reasonClassOf, srcIsOrig } from '../correlate/fw-groups.js';
import { endOf, logMayTell } from '../correlate/fw-verdicts.js';
import { TupleHash } from '../correlate/tuple-hash.js';
import type { LiveEngine } from './live.js';
import { LiveLog } from './live-logs.js';
import { deniedRstRow, HostJoin } from './live-fw-joins.js';
import { growColumns, takeColumns } from './live-columns.js';
import type { LiveFwView } from './live-view.js';

/** slack around a connection's packets, seconds (as firewall.ts) */
const TOL = 2;
/** seconds of capture time an event waits for its connection's packets before it makes a row of its own */
export const PENDING = 10;

const PROTO_TCP = 1;
const LATE_RST = anomalyBit('late-rst');
const RST_DENIED = anomalyBit('rst-denied');
const AFTER_TO = anomalyBit('after-timeout');
const MIDSTREAM = anomalyBit('midstream');
const FIREWALL_ONLY = anomalyBit('firewall-only');
const T_TIMEOUT = TEARDOWNS.indexOf('timeout');
const T_OPEN = TEARDOWNS.indexOf('open');
/** what made a firewall-only row (loKind) */
const LO_CONN = 1, LO_POLICY = 2, LO_NOCONN = 3;
const NO_EVENTS = new Uint32Array(0);

/** per-connection columns (live-columns.ts) */
const FW_PER_CONN = ['fwAnom', 'logTd', 'logSide', 'policy', 'built', 'loKind', 'tdTime', 'preDenyT', 'preFlags', 'prevOfTuple'] as const;
const FW_FILLS = { tdTime: NaN, preDenyT: NaN, prevOfTuple: -1 };

export class LiveFw {
  readonly logs: LiveLog[] = [];
  private queue: number[] = [];
  private pending: number[] = [];
  private cap = 0;
  private fwAnom = new Uint32Array(0);
  /** the log's class (TEARDOWNS index + 1; 0: none) and closing side (CLOSED_BY index) */
  private logTd = new Uint8Array(0);
  private logSide = new Uint8Array(0);
  private policy = new Uint8Array(0);
  private built = new Uint8Array(0);
  private loKind = new Uint8Array(0);
  private tdTime = new Float64Array(0);
  private preDenyT = new Float64Array(0);
  private preFlags = new Uint8Array(0);
  /** the previous connection of the same tuple (port reuse), -1: none */
  private prevOfTuple = new Int32Array(0);
  private byTuple = new TupleHash(1024);
  /** the other forms (NAT) of a connection's tuple, as its Built or Teardown named them */
  private alias = new TupleHash(1024);
  private readonly hosts: HostJoin;
  private registered = 0;
  private evs = new Map<number, number[]>();
  private denied = new Map<number, number>();
  private byConnId = new Map<number, number>();
  private readonly reasons = new Map<number, ReasonClass | undefined>();
  /** log clock - capture clock, seconds: the median of recent pairs */
  offset = 0;
  pairs = 0;
  private samples: number[] = [];
  private logMax = -Infinity;
  /** the log time up to which the capture has come (the local-host join keeps events from a little before it) */
  private horizon = Infinity;

  constructor(private readonly engine: LiveEngine, private readonly sopts: SyslogOptions) {
    this.hosts = new HostJoin(engine.fw, (e, c) => this.attach(e, c));
  }

  /** A new live log named `name`; returns its line sink. */
  sink(name: string): (line: string) => void {
    const l = new LiveLog(name, this.logs.length, this.engine.fw, this.engine.addrs, this.sopts, (e) => this.queue.push(e));
    this.logs.push(l);
    this.engine.logs.push(l.file);
    return (line) => l.line(line);
  }

  private grow(n: number): void {
    if (n > this.cap) this.cap = growColumns(this, FW_PER_CONN, n, this.cap, FW_FILLS);
  }

  private register(c: number): void {
    const k = this.engine.conns;
    this.grow(c + 1);
    this.prevOfTuple[c] = this.byTuple.get(k.origAddr[c]!, k.origPort[c]!, k.respAddr[c]!, k.respPort[c]!);
    this.byTuple.set(k.origAddr[c]!, k.origPort[c]!, k.respAddr[c]!, k.respPort[c]!, c);
  }

  /** Each tick: new connections (synced) join the tuple index; waiting and new events are joined. */
  tick(now: number): void {
    const conns = this.engine.conns;
    for (; this.registered < conns.synced; this.registered++) this.register(this.registered);
    for (const l of this.logs) this.engine.issues.push(...l.newIssues());
    if (this.sopts.defaultYear === undefined && this.engine.files.length && Number.isFinite(now)) this.sopts.defaultYear = new Date(now * 1000).getUTCFullYear();
    const clock = this.engine.files.length ? now : this.logMax;
    // (a log read ahead of the capture keeps its hosts' events until the capture catches up)
    this.horizon = this.engine.files.length ? now + this.offset : Infinity;
    const waiting = this.pending;
    this.pending = [];
    for (const e of waiting) this.place(e, clock);
    const fresh = this.queue;
    this.queue = [];
    for (const e of fresh) {
      const t = this.engine.fw.ts(e);
      if (t > this.logMax) this.logMax = t;
      this.place(e, clock);
    }
  }

  /** Join event e now, or keep it waiting, or (waited long enough) give it a row of its own. */
  private place(e: number, clock: number): void {
    const fw = this.engine.fw;
    const k = fw.kind(e);
    if (k === K_LH_BUILT || k === K_LH_TEARDOWN) return this.hosts.localHost(e, this.horizon);
    if (((fw.bits(e) >> B_PROTO) & 3) !== PROTO_TCP && k !== K_NOCONN) return;
    let c = -1;
    const id = fw.connId(e);
    // (the firewall's connection id joins a Teardown or a note to its Built's connection, as in the batch)
    if (k === K_OTHER || ((k === K_TEARDOWN || k === K_BUILT) && this.byConnId.has(id))) {
      c = Number.isNaN(id) ? -1 : (this.byConnId.get(id) ?? -1);
    } else if (fw.addr(e, A_SRC) >= 0 && fw.addr(e, A_DST) >= 0 && fw.port(e, A_SRC) >= 0 && fw.port(e, A_DST) >= 0) c = this.join(e);
    else return;
    if (c >= 0) return this.apply(e, c);
    if (this.time(e) + PENDING <= clock || clock === Infinity) this.orphan(e);
    else this.pending.push(e);
  }

  /** Event e's time on the capture's clock (a stamp of whole seconds means the middle of that second). */
  private time(e: number): number {
    const t = this.engine.fw.ts(e);
    return t + (Number.isInteger(t) ? 0.5 : 0) - this.offset;
  }

  /** The tuples of event e, real and mapped forms of each end: f(a, pa, b, pb). */
  private tuples(e: number, f: (a: number, pa: number, b: number, pb: number) => void): void {
    const fw = this.engine.fw;
    const a = fw.addr(e, A_SRC), pa = fw.port(e, A_SRC), b = fw.addr(e, A_DST), pb = fw.port(e, A_DST);
    const ma = fw.addr(e, A_SMAP), mb = fw.addr(e, A_DMAP);
    const mpa = fw.port(e, A_SMAP) >= 0 ? fw.port(e, A_SMAP) : pa, mpb = fw.port(e, A_DMAP) >= 0 ? fw.port(e, A_DMAP) : pb;
    f(a, pa, b, pb);
    if (ma >= 0) f(ma, mpa, b, pb);
    if (mb >= 0) f(a, pa, mb, mpb);
    if (ma >= 0 && mb >= 0) f(ma, mpa, mb, mpb);
  }

  /** The connection of event e's tuples whose time fits it best, -1: none. */
  private join(e: number): number {
    const conns = this.engine.conns;
    const t = this.time(e);
    const noconn = this.engine.fw.kind(e) === K_NOCONN;
    let best = -1, bestD = Infinity;
    const fits = (c: number): void => {
      // (the same connection at another interface, merged into its row: the row takes the events)
      if (this.engine.isMerged(c)) return;
      const f = conns.firstOf(c), l = conns.lastOf(c);
      // (a late packet's deny comes after the connection's last packet: seconds after a close, up to a day after a timeout)
      const after = noconn ? (this.logTd[c] === T_TIMEOUT + 1 ? AFTER_TIMEOUT : AFTER_TEARDOWN + TOL) : TOL;
      if (t < f - TOL || t > l + after) return;
      const d = t < f ? f - t : t > l ? t - l : 0;
      if (d < bestD) {
        best = c;
        bestD = d;
      }
    };
    this.tuples(e, (a, pa, b, pb) => {
      for (let c = this.byTuple.get(a, pa, b, pb); c >= 0; c = this.prevOfTuple[c]!) fits(c);
      const x = this.alias.get(a, pa, b, pb);
      if (x >= 0) fits(x);
    });
    return best;
  }

  /** What event e tells of connection c. */
  private apply(e: number, c: number): void {
    const fw = this.engine.fw, conns = this.engine.conns;
    const k = fw.kind(e);
    const t = this.time(e);
    this.attach(e, c);
    const id = fw.connId(e);
    if (k === K_BUILT || k === K_TEARDOWN) {
      if (!Number.isNaN(id)) this.byConnId.set(id, c);
      // (its NAT forms: a later deny may name the tuple as the other side of the firewall sees it)
      this.tuples(e, (a, pa, b, pb) => this.alias.set(a, pa, b, pb, c));
      this.hosts.connEvent(e, c, this.horizon);
    }
    const captured = conns.vantage[c] !== LOG_ONLY;
    const seen = conns.flagsOrig[c]! | conns.flagsResp[c]!;
    if (k === K_BUILT) {
      this.built[c] = 1;
      if (captured && seen & SYN) this.sample(fw.ts(e) + (Number.isInteger(fw.ts(e)) ? 0.5 : 0) - conns.firstOf(c));
    } else if (k === K_TEARDOWN) {
      this.tdTime[c] = t;
      const cls = reasonClassOf(fw, e, this.reasons);
      this.logTd[c] = TEARDOWNS.indexOf(cls?.teardown ?? 'open') + 1;
      const side = cls ? reasonSide(fw, e, cls) : undefined;
      this.logSide[c] = CLOSED_BY.indexOf(side ? endOf(fw, e, side, conns, c) : 'none');
      if (!Number.isNaN(fw.bytes(e))) conns.fwBytes[c] = fw.bytes(e);
      const pre = this.preDenyT[c]!;
      if (pre >= t - PRE_TEARDOWN && pre <= t + AFTER_TEARDOWN) {
        if (cls?.teardown === 'timeout') this.fwAnom[c]! |= AFTER_TO;
        else if (cls?.teardown === 'graceful' && this.preFlags[c]! & RST) this.fwAnom[c]! |= LATE_RST;
      }
      if (captured && seen & (FIN | RST)) this.sample(fw.ts(e) + (Number.isInteger(fw.ts(e)) ? 0.5 : 0) - conns.lastOf(c));
    } else if (k === K_NOCONN) {
      const flags = fw.flags(e);
      let mark = flags & RST ? RST_DENIED : 0;
      const td = this.tdTime[c]!;
      if (Number.isNaN(td)) {
        this.preFlags[c] = (t - this.preDenyT[c]! <= PRE_TEARDOWN ? this.preFlags[c]! : 0) | flags;
        this.preDenyT[c] = t;
      } else {
        const since = t - td;
        const cls = this.logTd[c]! - 1;
        if (cls === T_TIMEOUT && since >= -1 && since <= AFTER_TIMEOUT) mark |= AFTER_TO;
        else if (cls === TEARDOWNS.indexOf('graceful') && since >= -1 && since <= AFTER_TEARDOWN && (flags & RST || flags === 0)) mark |= LATE_RST | RST_DENIED;
      }
      this.fwAnom[c]! |= mark;
      if (flags & RST && captured) {
        const row = deniedRstRow(this.engine, e, c, t);
        if (row >= 0) this.denied.set(e, row);
      }
    } else if (k === K_DENY) this.policy[c] = 1;
    if (!captured) conns.extendTo(c, t);
    this.engine.invalidate(c);
  }

  /**
   * Connection s was merged into row p (the same connection at another interface): what the log
   * said of s is told to p, and later lines name p.
   */
  merged(s: number, p: number): void {
    const l = this.evs.get(s);
    if (!l) return;
    this.grow(p + 1);
    for (const e of l) this.apply(e, p);
  }

  private attach(e: number, c: number): void {
    const l = this.evs.get(c);
    if (!l) this.evs.set(c, [e]);
    else if (!l.includes(e)) l.push(e);
  }

  private sample(delta: number): void {
    this.pairs++;
    this.samples.push(delta);
    if (this.samples.length > 64) this.samples.shift();
    if (this.pairs % 8 === 1 || this.samples.length < 8) {
      const s = [...this.samples].sort((x, y) => x - y);
      const m = s.length >> 1;
      this.offset = s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
    }
  }

  /** Event e found no connection in time: it joins (or makes) a firewall-only row. */
  private orphan(e: number): void {
    const fw = this.engine.fw;
    const k = fw.kind(e);
    const t = this.time(e);
    let c = -1;
    if (k === K_BUILT || k === K_TEARDOWN) {
      const id = fw.connId(e);
      if (Number.isNaN(id)) return;
      c = this.byConnId.get(id) ?? -1;
      if (c < 0) c = this.logOnly(e, LO_CONN, t);
    } else if (k === K_DENY || k === K_NOCONN) {
      const kind = k === K_DENY ? LO_POLICY : LO_NOCONN;
      const burst = k === K_DENY ? POLICY_BURST : NOCONN_BURST;
      const conns = this.engine.conns;
      this.tuples(e, (a, pa, b, pb) => {
        for (let x = this.byTuple.get(a, pa, b, pb); x >= 0 && c < 0; x = this.prevOfTuple[x]!) {
          if (this.loKind[x] === kind && t - (kind === LO_POLICY ? conns.firstOf(x) : conns.lastOf(x)) <= burst) c = x;
        }
      });
      if (c < 0) c = this.logOnly(e, kind, t);
    } else return;
    if (c >= 0) this.apply(e, c);
  }

  /** A new firewall-only connection for event e (the client: the Built's initiator, else the higher port). */
  private logOnly(e: number, kind: number, t: number): number {
    const fw = this.engine.fw;
    const dir = kind === LO_POLICY ? true : srcIsOrig(fw, e);
    const srcOrig = dir ?? fw.port(e, A_SRC) >= fw.port(e, A_DST);
    const os = srcOrig ? A_SRC : A_DST, rs = srcOrig ? A_DST : A_SRC;
    let first = t;
    if (fw.kind(e) === K_TEARDOWN && Number.isFinite(fw.duration(e))) first = t - fw.duration(e);
    const c = this.engine.addLogOnly(fw.addr(e, os), Math.max(0, fw.port(e, os)), fw.addr(e, rs), Math.max(0, fw.port(e, rs)), first);
    this.engine.syncNew(c);
    this.register(c);
    this.loKind[c] = kind;
    this.engine.conns.extendTo(c, t);
    return c;
  }

  /** Connection c's verdicts after its packets' (the engine's afterAnalysis): what the log adds. */
  afterAnalysis(c: number): void {
    if (c >= this.cap) return;
    const conns = this.engine.conns;
    const log: Teardown | undefined = this.logTd[c] ? TEARDOWNS[this.logTd[c]! - 1] : this.policy[c] ? 'denied' : undefined;
    if (conns.vantage[c] === LOG_ONLY) {
      conns.connState[c] = NO_CONN_STATE;
      conns.histories[c] = '';
      conns.anomalies[c] = this.fwAnom[c]! | FIREWALL_ONLY;
      conns.teardown[c] = log !== undefined ? TEARDOWNS.indexOf(log) : T_OPEN;
      conns.closedBy[c] = this.logSide[c]!;
      return;
    }
    conns.anomalies[c]! |= this.fwAnom[c]!;
    if (this.built[c]) conns.anomalies[c]! &= ~MIDSTREAM;
    if (log !== undefined && logMayTell(TEARDOWNS[conns.teardown[c]!] ?? 'open', log)) {
      conns.teardown[c] = TEARDOWNS.indexOf(log);
      conns.closedBy[c] = this.logSide[c]!;
    }
  }

  /** Seconds a firewall-only row waits after its last event before it is over. */
  logOnlyWait(c: number, grace: number, idle: number): number {
    if (this.logTd[c]) return grace;
    const k = this.loKind[c];
    return k === LO_POLICY ? POLICY_BURST : k === LO_NOCONN ? NOCONN_BURST : idle;
  }

  /**
   * --keep's compaction: connection k is old connection kept[k] (newIndex: old -> new, -1 dropped),
   * packet rows moved (rowMap). New maps, so that a view taken before keeps reading the old ones.
   * Event chunks no kept connection and no waiting event refers to are emptied.
   */
  compact(kept: Int32Array, newIndex: Int32Array, rowMap: Int32Array): void {
    this.cap = takeColumns(this, FW_PER_CONN, kept, FW_FILLS);
    this.byTuple = new TupleHash(kept.length);
    for (let c = 0; c < kept.length; c++) this.register(c);
    this.registered = kept.length;
    this.alias.filterMap((c) => newIndex[c] ?? -1);
    const evs = new Map<number, number[]>();
    for (const [c, l] of this.evs) if (newIndex[c]! >= 0) evs.set(newIndex[c]!, l);
    this.evs = evs;
    const denied = new Map<number, number>();
    for (const [e, r] of this.denied) if (rowMap[r]! >= 0) denied.set(e, rowMap[r]!);
    this.denied = denied;
    const byId = new Map<number, number>();
    for (const [id, c] of this.byConnId) if (newIndex[c]! >= 0) byId.set(id, newIndex[c]!);
    this.byConnId = byId;
    this.hosts.remap(newIndex);
    // the event chunks still needed: those of kept connections' events, waiting events, and the ones being filled
    const fw = this.engine.fw;
    const need = new Uint8Array(fw.chunks.length);
    for (const l of evs.values()) for (const e of l) need[e >>> CHUNK_BITS] = 1;
    for (const e of this.pending) need[e >>> CHUNK_BITS] = 1;
    for (const e of this.queue) need[e >>> CHUNK_BITS] = 1;
    for (const l of this.logs) need[l.chunkIndex] = 1;
    for (let k = 0; k < fw.chunks.length; k++) {
      const ch = fw.chunks[k]!;
      if (need[k] || ch.n === 0) continue;
      fw.count -= ch.n;
      fw.chunks[k] = newChunk(ch.log, ch.range, ch.seq, false, false, 0);
    }
  }

  /** What a view reads (the maps of this generation: see compact). */
  snapshot(): LiveFwView {
    const evs = this.evs, denied = this.denied, fw = this.engine.fw;
    return {
      offset: this.offset, pairs: this.pairs,
      // (an event whose chunk a later compaction emptied is gone)
      events: (i) => {
        const l = evs.get(i);
        if (!l) return NO_EVENTS;
        return Uint32Array.from(l.filter((e) => (e & 0xffff) < fw.chunk(e).n)).sort((a, b) => fw.ts(a) - fw.ts(b) || a - b);
      },
      deniedRow: (e) => denied.get(e),
    };
  }

  /** Events still waiting for their connection. */
  get waiting(): number {
    return this.pending.length + this.queue.length;
  }
}

