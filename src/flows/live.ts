/**
 * The live engine: packets and log lines as they arrive -> connections that appear and change.
 *
 * Packets go the batch path's way (the capture readers fed chunk by chunk, decodingSink,
 * PacketAdder), into tables that stay in their ingest form: the connection table keeps its tuple
 * hash, so later packets find their connections. What the batch does once at the end is done per
 * tick (`tick`, called a few times a second), for the connections that got packets since the last
 * one only: their columns are brought up to date (LiveConns.sync) and their verdicts computed by
 * the batch's own function (analyseConn) over their packets (a chain of rows per connection).
 * So a tick costs in proportion to the packets since the last one, not to the connections held.
 *
 * A connection with many packets is analysed again only when its packets have grown by a quarter
 * since the last time, or its close changed (a FIN or RST): re-analysing a long transfer at every
 * tick would cost its whole length each time. Its counts and times are always current; its class
 * and history may lag by that quarter until it closes, and are exact when it is over.
 *
 * A connection is over when it has closed (a FIN each way, or a RST) and `grace` seconds have
 * passed since its last packet (room for the late RST the seed's servers send), or when it has
 * been idle for `idleTimeout` seconds. Its record is then final (`onFinal`). Later packets of it
 * still join it (as in the batch: the tuple is the same connection until a new SYN reuses it) and
 * show in its row, but a record already written is not written again (they are counted: `late`).
 * Time is the capture's: the latest packet time seen, moved on by the wall clock while no packet
 * comes (`wallClock`), so that a quiet link still ends its connections.
 */
import { TEARDOWNS, type InputIssue } from '../model.js';
import { openCapture, type CaptureSink } from './live-capture.js';
export type { CaptureSink } from './live-capture.js';
import { DEFAULT_GRACE, DEFAULT_IDLE_TIMEOUT, type LiveCounts, type LiveOptions } from './live-options.js';
export * from './live-options.js';
import { AddrTable } from './addr-table.js';
import { FwTable } from './fw-table.js';
import type { CaptureFile, LogFile } from './ingest.js';
import { DeadlineHeap } from './live-heap.js';
import { Analyser, compactedConns, LiveConns, RowChains } from './live-conns.js';
import { LiveFw } from './live-fw.js';
import { LiveVantages } from './live-vantage.js';
import { ChangeLog, growColumns, takeColumns } from './live-columns.js';
import { compactPackets, KeepWindow, RemapHistory } from './live-keep.js';
import { LOG_ONLY } from '../correlate/firewall.js';
import type { SyslogOptions } from '../read/syslog.js';
import { PacketAdder } from './packet-adder.js';
import { PacketTable } from './packet-table.js';

const T_OPEN = TEARDOWNS.indexOf('open');

/** the engine's per-connection columns (live-columns.ts) */
const PER_CONN = ['dirtyMark', 'analysedPkts', 'analysedClose', 'final', 'queued', 'ids', 'dropMark', 'changedMark'] as const;
const FILLS = { queued: NaN };

export class LiveEngine {
  packets = new PacketTable();
  conns = new LiveConns();
  readonly addrs = new AddrTable();
  readonly fw = new FwTable();
  readonly issues: InputIssue[] = [];
  readonly files: CaptureFile[] = [];
  readonly logs: LogFile[] = [];
  chains = new RowChains();
  private adder: PacketAdder = new PacketAdder(this.packets, this.conns, this.addrs);
  readonly grace: number;
  readonly idleTimeout: number;
  private readonly wallClock: boolean;
  private readonly wall: () => number;
  private readonly onFinal: ((i: number) => void) | undefined;
  private readonly sopts: SyslogOptions;
  /** the firewall correlation, once a log is read */
  fwLive: LiveFw | undefined;
  /** the matching across interfaces, when the capture's interfaces are vantages (`-i a -i b`) */
  vantages: LiveVantages | undefined;

  // per connection
  private cap = 0;
  /** tick number in which the connection was last put on the dirty list */
  private dirtyMark = new Uint32Array(0);
  /** packets and close bits it had when last analysed (0 packets: never) */
  private analysedPkts = new Uint32Array(0);
  private analysedClose = new Uint8Array(0);
  /** 1 once its record is final */
  final = new Uint8Array(0);
  /** the deadline of its live heap entry (NaN: none) */
  private queued = new Float64Array(0);
  /** the id it is known by (its number in order of creation: stays when the tables are compacted) */
  private ids = new Float64Array(0);
  private lastId = 0;
  /** 1: --keep drops it at the next compaction */
  private dropMark = new Uint8Array(0);
  /** the view (takeChanges) it was last noted as changed for */
  private changedMark = new Uint32Array(0);
  private readonly keep: KeepWindow | undefined;
  /** connections and packets --keep dropped */
  readonly dropped = { conns: 0, packets: 0 };
  /** compactions so far, and the last one's map from old to new index (-1: dropped) */
  gen = 0;
  lastRemap: Int32Array | undefined;

  private dirty = new Int32Array(1024);
  private nDirty = 0;
  private tickNo = 1;
  private heap = new DeadlineHeap();
  private maxTs = -Infinity;
  private wallAtMax = 0;
  readonly counts: LiveCounts = { packets: 0, conns: 0, final: 0, late: 0 };
  /** connections in the published view (synced and analysed at the last tick) */
  published = 0;
  private readonly analyser = new Analyser();

  constructor(opts: LiveOptions = {}) {
    this.grace = opts.grace ?? DEFAULT_GRACE;
    this.idleTimeout = opts.idleTimeout ?? DEFAULT_IDLE_TIMEOUT;
    this.wallClock = opts.wallClock ?? true;
    this.wall = opts.now ?? Date.now;
    this.onFinal = opts.onFinal;
    const k = opts.keep;
    this.keep = k && (k.seconds !== undefined || k.count !== undefined) ? new KeepWindow(k) : undefined;
    this.sopts = {
      ...(opts.year !== undefined ? { year: opts.year } : {}), ...(opts.tz !== undefined ? { tz: opts.tz } : {}),
      ...(opts.dropPrefixes !== undefined ? { dropPrefixes: [...opts.dropPrefixes] } : {}),
    };
  }

  /** The engine's time: the latest packet's, moved on by the wall clock since it came (when wallClock). */
  clock(): number {
    if (!this.wallClock || this.maxTs === -Infinity) return this.maxTs;
    return this.maxTs + Math.max(0, this.wall() - this.wallAtMax) / 1000;
  }

  private grow(n: number): void {
    if (n > this.cap) this.cap = growColumns(this, PER_CONN, n, this.cap, FILLS);
  }

  /** A new connection's first sync: its columns and its id. */
  syncNew(c: number): void {
    this.conns.sync(c);
    this.vantages?.add(this.conns, c);
    // (open until its first analysis, which a tick over its budget may leave to the next one)
    this.conns.teardown[c] = T_OPEN;
    this.ids[c] = ++this.lastId;
  }

  /** The id connection c is known by (i + 1 until the tables are compacted). */
  idOf(c: number): number {
    return this.ids[c]!;
  }

  /** The ids of this generation's connections (a view keeps its generation's). */
  idsView(): Float64Array {
    return this.ids;
  }

  /** Connection c got a packet (or an event): analyse it at the next tick. */
  touch(c: number): void {
    if (c >= this.cap) this.grow(c + 1);
    if (this.dirtyMark[c] === this.tickNo) return;
    this.dirtyMark[c] = this.tickNo;
    if (this.nDirty === this.dirty.length) {
      const d = new Int32Array(this.dirty.length * 2);
      d.set(this.dirty);
      this.dirty = d;
    }
    this.dirty[this.nDirty++] = c;
  }

  /**
   * A capture stream: the vantage `name`, whose packet bytes can be read again from `path` ('-'
   * when they cannot: a pipe). pcap or pcapng, told by its first bytes. One capture per engine.
   * A pcapng stream may carry several interfaces: each keeps its own connections, as in the batch;
   * with `vantages` (their names, in the stream's interface order: `-i a -i b`), each interface is
   * a vantage and the same connection at two of them is one row (live-vantage.ts).
   */
  capture(name: string, path = '-', vantages?: readonly string[]): CaptureSink {
    if (this.files.length) throw new Error('the live engine reads one capture stream');
    const cap = openCapture(name, path, vantages, this.addrs, this.issues, (kv, src, dst, f, at) => {
      this.adder.add(kv, src, f.sport, dst, f.dport, at.ts, f.flags, f.seq, f.ack, f.payloadLen, f.win, at.mark, at.frame, at.fileOffset);
      this.packetAdded(at.ts);
    });
    this.files.push(...cap.files);
    if (cap.files.length > 1) this.vantages = new LiveVantages(cap.files.length);
    return cap.sink;
  }

  /** After adder.add: the row's connection, its chain, dirtiness, the clock. */
  private packetAdded(ts: number): void {
    const r = this.packets.count - 1;
    const c = this.packets.conn(r);
    this.chains.add(r, c);
    this.touch(c);
    if (this.final[c]) this.counts.late++;
    this.counts.packets++;
    if (ts > this.maxTs) {
      this.maxTs = ts;
      if (this.wallClock) this.wallAtMax = this.wall();
    }
  }

  /** Whether connection c's verdicts should be computed again now (see the file's comment). */
  private stale(c: number): boolean {
    const a = this.analysedPkts[c]!, n = this.conns.packetsOf(c);
    return a === 0 || (n !== a && ((n - a) * 4 >= a || this.conns.closeBitsNow(c) !== this.analysedClose[c])) || (n !== a && this.final[c] === 1);
  }

  /** Connection c's verdicts from its packets (the batch's analyseConn). */
  analyse(c: number): void {
    const n = this.conns.packetsOf(c);
    if (n === 0) {
      this.fwLive?.afterAnalysis(c); // (a firewall-only row)
      return;
    }
    const conns = this.conns;
    this.analysedPkts[c] = this.analyser.run(conns, this.chains, this.packets, c);
    this.analysedClose[c] = conns.closeBitsNow(c);
    this.afterAnalysis(c);
  }

  /** What is added to a verdict from outside the packets: the firewall's (live-fw.ts), the other vantages'. */
  private afterAnalysis(c: number): void {
    this.fwLive?.afterAnalysis(c);
    this.vantages?.apply(this.conns, c);
  }

  /** Connection c's verdicts must be computed again (the firewall's events changed them). */
  invalidate(c: number): void {
    this.touch(c);
    this.analysedPkts[c] = 0;
  }

  /** A connection known from the logs only (address ids, ports; its first time on the capture's clock). */
  addLogOnly(o: number, po: number, r: number, pr: number, first: number): number {
    const c = this.conns.add(LOG_ONLY, o, po, r, pr, first, -1);
    this.grow(c + 1);
    this.touch(c);
    return c;
  }

  private deadline(c: number): number {
    const conns = this.conns;
    if (this.fwLive && conns.vantage[c] === LOG_ONLY) return conns.lastOf(c) + this.fwLive.logOnlyWait(c, this.grace, this.idleTimeout);
    return conns.lastOf(c) + (conns.closedNow(c) ? this.grace : this.idleTimeout);
  }

  private schedule(c: number): void {
    const d = this.deadline(c);
    const q = this.queued[c]!;
    if (q <= d) return; // (its entry comes first: it is looked at again then)
    this.heap.push(d, c);
    this.queued[c] = d;
  }

  /**
   * Bring the changed connections up to date, and make final those that are over by now.
   * Returns how many became final.
   */
  tick(now = this.clock(), logsEnded = false, budgetMs?: number): number {
    const until = budgetMs === undefined ? Infinity : performance.now() + budgetMs;
    const conns = this.conns;
    const n0 = conns.synced;
    this.grow(conns.count);
    for (let c = n0; c < conns.count; c++) this.syncNew(c);
    // (the log's events join the connections synced above; it may add firewall-only ones)
    this.fwLive?.tick(logsEnded ? Infinity : now);
    this.grow(conns.count);
    for (let c = conns.synced; c < conns.count; c++) this.syncNew(c);
    const dirty = this.dirty, nd = this.nDirty;
    this.nDirty = 0;
    this.tickNo++;
    for (let k = 0; k < nd; k++) {
      const c = dirty[k]!;
      if (c < n0) {
        conns.sync(c);
        this.vantages?.apply(conns, c);
      }
      if (this.vantages && !this.final[c]) this.matchEarly(c, now);
      if (this.stale(c)) this.analyse(c);
      if (!this.final[c]) this.schedule(c);
      this.noteChanged(c);
      // (past the budget: the rest waits for the next tick, which comes at once: see `backlog`)
      if ((k & 15) === 15 && performance.now() > until) {
        for (let m = k + 1; m < nd; m++) {
          const x = dirty[m]!;
          this.dirtyMark[x] = this.tickNo;
          dirty[this.nDirty++] = x;
        }
        break;
      }
    }
    this.published = conns.synced;
    this.counts.conns = conns.synced - (this.vantages?.hidden ?? 0);
    for (const f of this.files) f.end = this.packets.count;
    let done = 0;
    const heap = this.heap;
    while (heap.peekKey() <= now) {
      const d = heap.peekKey(), c = heap.peekVal();
      heap.pop();
      if (this.final[c] || this.queued[c] !== d) continue;
      this.queued[c] = NaN;
      const dl = this.deadline(c);
      if (dl > now) {
        this.heap.push(dl, c);
        this.queued[c] = dl;
        continue;
      }
      this.makeFinal(c);
      done++;
    }
    const keep = this.keep;
    if (keep && keep.advance(now, (c) => this.conns.lastOf(c), (c) => this.markDrop(c), this.published, this.packets.count)) this.compact();
    return done;
  }

  private markDrop(c: number): number {
    this.dropMark[c] = 1;
    return this.conns.packetsOf(c);
  }

  /**
   * Drop the connections marked by --keep (and their packets): the tables are copied, what is
   * kept, into new ones (a view taken before keeps the old ones). Connection indices change
   * (`gen`, `lastRemap`); ids do not.
   */
  private compact(): void {
    const n = this.conns.count;
    const newIndex = new Int32Array(n).fill(-1);
    const order: number[] = [];
    for (let c = 0; c < n; c++) {
      if (this.dropMark[c]) continue;
      newIndex[c] = order.length;
      order.push(c);
    }
    const kept = Int32Array.from(order);
    const before = this.packets.count;
    this.conns = compactedConns(this.conns, kept);
    const { packets, chains, rowMap } = compactPackets(this.packets, newIndex);
    this.packets = packets;
    this.chains = chains;
    this.adder = new PacketAdder(packets, this.conns, this.addrs);
    this.cap = takeColumns(this, PER_CONN, kept, FILLS);
    let nd = 0;
    for (let k = 0; k < this.nDirty; k++) if (newIndex[this.dirty[k]!]! >= 0) this.dirty[nd++] = newIndex[this.dirty[k]!]!;
    this.nDirty = nd;
    this.heap.rebuild((c) => newIndex[c]!);
    this.keep!.remap(newIndex);
    this.fwLive?.compact(kept, newIndex, rowMap);
    this.vantages?.compact(newIndex, kept);
    this.published = this.conns.synced;
    this.counts.conns = this.published - (this.vantages?.hidden ?? 0);
    for (const f of this.files) f.end = packets.count;
    this.dropped.conns += n - kept.length;
    this.dropped.packets += before - packets.count;
    this.gen++;
    this.lastRemap = newIndex;
    // (the next view is taken whole: its generation is new)
    this.changes.reset(this.published);
    this.remaps.push(newIndex);
  }

  /** the last compactions' maps */
  private readonly remaps = new RemapHistory();

  /** The map from generation `from`'s indices to the current ones (-1: dropped); undefined when too old. */
  remapFrom(from: number): Int32Array | undefined {
    return this.remaps.from(from, this.gen);
  }

  /** the rows older than the last view's that changed since (what the next view tells the UI) */
  private readonly changes = new ChangeLog();
  private noteChanged(c: number): void {
    this.changes.note(c, this.changedMark);
  }

  /**
   * What changed since the last call (a view): rows from `from` on are new, `changed` lists the
   * older ones brought up to date.
   */
  takeChanges(): { from: number; changed: Uint32Array } {
    return this.changes.take(this.published);
  }

  /** Connections waiting to be analysed after a tick that ran out of its budget. */
  get backlog(): number {
    return this.nDirty;
  }

  /**
   * Connection c is over: its record is final. With several vantages it is first looked for at
   * the others: when found, both are over, and only the row they make has a record.
   */
  private makeFinal(c: number): void {
    const v = this.vantages;
    const other = v ? v.settle(this.conns, this.chains, this.packets, c, this.clock()) : -1;
    if (other < 0) return this.finalOne(c, true);
    const merged = v!.mergedInto(c) >= 0 ? c : other, row = merged === c ? other : c;
    this.fwLive?.merged(merged, row);
    this.finalOne(merged, false);
    // (its packets' marks changed: seen or missing at the other vantage)
    this.analysedPkts[row] = 0;
    this.finalOne(row, true);
  }

  private finalOne(c: number, record: boolean): void {
    if (this.analysedPkts[c] !== this.conns.packetsOf(c)) this.analyse(c);
    this.noteChanged(c);
    this.final[c] = 1;
    this.keep?.final(c);
    if (!record) return;
    this.counts.final++;
    this.onFinal?.(c);
  }

  /** Several interfaces: connection c, not over, is looked for at the others (live-vantage.ts). */
  private matchEarly(c: number, now: number): void {
    const v = this.vantages!;
    const d = v.early(this.conns, this.chains, this.packets, c, now);
    if (d < 0) return;
    v.apply(this.conns, c);
    v.apply(this.conns, d);
    const s = v.mergedInto(c) >= 0 ? c : d;
    this.fwLive?.merged(s, s === c ? d : c);
    this.noteChanged(d);
  }

  /** Connection c was merged into another (the same connection at another vantage): not a row. */
  isMerged(c: number): boolean {
    return this.vantages !== undefined && this.vantages.isMerged(c);
  }

  /** The input has ended: every connection still open is over now, in id order. */
  finish(): void {
    this.tick(-Infinity, true);
    for (let c = 0; c < this.published; c++) if (!this.final[c]) this.makeFinal(c);
  }

  /** Where the lines of log `name` go (a followed file's, a syslog receiver's). */
  logSink(name: string): (line: string) => void {
    this.fwLive ??= new LiveFw(this, this.sopts);
    return this.fwLive.sink(name);
  }

  /** Whether connection c's record is final. */
  isFinal(c: number): boolean {
    return this.final[c] === 1;
  }
}

