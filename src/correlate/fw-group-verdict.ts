/**
 * What one log group (fw-groups.ts) says of the connection it became or joined: the class its
 * Teardown's reason gives (`denied` for a denial by policy), the side that reason names, the bytes
 * the firewall counted, its anomalies. Written into the connection columns, for any connection
 * (fw-verdicts.ts applyLogVerdicts, in the order the groups were made), or for log-only ones, which
 * each have one group of their own, in any order and on either thread (logOnlyBlocks; the verdict
 * worker, fw-verdict-thread.ts).
 *
 * This file imports nothing that starts a thread: the worker loads it and the tables' modules only.
 */
import { CLOSED_BY, NO_CONN_STATE, TEARDOWNS, anomalyBit, type Teardown } from '../model.js';
import { A_DMAP, A_DST, A_SMAP, A_SRC, S_DIF, S_RFROM, S_SIF, STR_SLOTS, type FwChunk } from '../read/fw-chunk.js';
import type { ReasonClass } from '../read/asa-reasons.js';
import { CHUNK_BITS, type FwTable } from '../flows/fw-table.js';
import type { ConnTable } from '../flows/conn-table.js';
import { G_CONN, G_POLICY, reasonClassOf, srcIsOrig, type Groups } from './fw-groups.js';

/** The vantage of a connection known only from logs. */
export const LOG_ONLY = 0xffff;
/** Log-only groups a block (in the order they were made): taken by either thread. */
export const LOG_BLOCK = 16384;
/** amask bits of a row that names both ends (A_SRC, A_DST): it can make a log-only connection */
export const BOTH_ENDS = (1 << A_SRC) | (1 << A_DST);

const FIREWALL_ONLY = anomalyBit('firewall-only');
const MIDSTREAM = anomalyBit('midstream');
const TD_INDEX = new Map<Teardown, number>(TEARDOWNS.map((t, k) => [t, k]));
const TD_OPEN = TD_INDEX.get('open')!;
const TD_DENIED = TD_INDEX.get('denied')!;
export const CB_NONE = CLOSED_BY.indexOf('none');
const CB_ORIG = CLOSED_BY.indexOf('orig');
const CB_RESP = CLOSED_BY.indexOf('resp');
/** reasonSide's answer as a number */
const SIDE_NONE = 0;
const SIDE_SRC = 1;
const SIDE_DST = 2;

/** The side a teardown reason names, as 'src' / 'dst' of the teardown line, or undefined. */
export function reasonSide(table: FwTable, td: number, cls: ReasonClass): 'src' | 'dst' | undefined {
  const s = sideOf(table, td, cls);
  return s === SIDE_SRC ? 'src' : s === SIDE_DST ? 'dst' : undefined;
}

function sideOf(table: FwTable, td: number, cls: ReasonClass): number {
  const ch = table.chunk(td), r = td & 0xffff;
  const from = ch.str[r * STR_SLOTS + S_RFROM]!;
  if (from !== 0) {
    const name = table.lower(from);
    const sif = ch.str[r * STR_SLOTS + S_SIF]!, dif = ch.str[r * STR_SLOTS + S_DIF]!;
    if (sif && (sif === from || table.lower(sif) === name)) return SIDE_SRC;
    if (dif && (dif === from || table.lower(dif) === name)) return SIDE_DST;
  }
  // 302014: the `for` endpoint is on the lower security level (outside), the `to` one higher (inside)
  if (cls.side === 'inside') return SIDE_DST;
  if (cls.side === 'outside') return SIDE_SRC;
  // other vendors: the session's client is the endpoint that opened it
  if (cls.side === 'client' || cls.side === 'server') {
    const o = srcIsOrig(table, td);
    if (o === undefined) return SIDE_NONE;
    return (cls.side === 'client') === o ? SIDE_SRC : SIDE_DST;
  }
  return SIDE_NONE;
}

/** The connection columns a group's verdict reads and writes (in shared memory when two threads write them). */
export const VERDICT_COLUMNS = ['vantage', 'origAddr', 'origPort', 'respAddr', 'respPort', 'anomalies', 'fwBytes', 'connState', 'teardown', 'closedBy'] as const;
export type VerdictColumns = Pick<ConnTable, (typeof VERDICT_COLUMNS)[number]>;

/** The side `src` (else dst) of event e as an end of connection i (CLOSED_BY's number): by address (real or mapped) and port. */
export function endIndex(table: FwTable, e: number, src: boolean, c: Pick<VerdictColumns, 'origAddr' | 'origPort' | 'respAddr' | 'respPort'>, i: number): number {
  const s = src ? A_SRC : A_DST, m = src ? A_SMAP : A_DMAP;
  // (the row's columns read once, not through an accessor per field)
  const ch = table.chunk(e), r = e & 0xffff, mask = ch.amask[r]!, o = r * 4;
  const a = mask & (1 << s) ? ch.addr[o + s]! : -1, p = mask & (0x100 << s) ? ch.port[o + s]! : -1;
  const ma = mask & (1 << m) ? ch.addr[o + m]! : -1, mp = mask & (0x100 << m) ? ch.port[o + m]! : p;
  const oa = c.origAddr[i]!, op = c.origPort[i]!;
  if ((a === oa && p === op) || (ma === oa && mp === op)) return CB_ORIG;
  const ra = c.respAddr[i]!, rp = c.respPort[i]!;
  if ((a === ra && p === rp) || (ma === ra && mp === rp)) return CB_RESP;
  return CB_NONE;
}

/**
 * A group's facts (read), then applied to a connection (apply, applyLogOnly). One per thread: the
 * facts are its fields, not an object a group.
 */
export class GroupVerdict {
  /** CLASS's number in TEARDOWNS */
  tdIndex = TD_OPEN;
  /** the Teardown event (-1: none), the side its reason names (SIDE_*), the firewall's bytes (NaN: none) */
  td = -1;
  side = SIDE_NONE;
  bytes = NaN;
  anomalies = 0;
  built = false;
  isConn = false;
  private readonly reasons = new Map<number, ReasonClass | undefined>();

  constructor(private readonly table: FwTable, private readonly groups: Groups, private readonly cols: VerdictColumns) {}

  read(g: number): void {
    const { groups, table } = this;
    const td = groups.teardown(g);
    const cls = td >= 0 ? reasonClassOf(table, td, this.reasons) : undefined;
    const kind = groups.kind[g]!;
    this.td = td;
    this.tdIndex = kind === G_POLICY ? TD_DENIED : cls ? TD_INDEX.get(cls.teardown)! : TD_OPEN;
    this.side = td >= 0 && cls ? sideOf(table, td, cls) : SIDE_NONE;
    this.bytes = td >= 0 ? table.bytes(td) : NaN;
    this.anomalies = groups.anomalies(g);
    this.built = groups.built(g) >= 0;
    this.isConn = kind === G_CONN;
  }

  /** The side the reason names as an end of connection i (CLOSED_BY's number). */
  closedBy(i: number): number {
    return this.side === SIDE_NONE ? CB_NONE : endIndex(this.table, this.td, this.side === SIDE_SRC, this.cols, i);
  }

  /** The anomalies, bytes and (`classes`) class and closing side of the group read last into connection i. */
  apply(i: number, classes: boolean): void {
    const c = this.cols;
    let an = c.anomalies[i]! | this.anomalies;
    if (!Number.isNaN(this.bytes)) c.fwBytes[i] = this.bytes;
    // the firewall logged the connection being built: its handshake happened, before the capture
    if (this.built) an &= ~MIDSTREAM;
    if (c.vantage[i] === LOG_ONLY) {
      c.connState[i] = NO_CONN_STATE;
      an |= FIREWALL_ONLY;
    }
    c.anomalies[i] = an;
    if (classes) {
      c.teardown[i] = this.tdIndex;
      c.closedBy[i] = this.closedBy(i);
    }
  }
}

/**
 * The verdicts of the log-only connections among the groups made k-th for k in [from, to): those
 * whose connection (groupConn, before renumbering by `map`) is `base` or later, each a
 * connection of its own. (Their histories are '' from their creation: ConnTable.appendWritten.)
 */
export function logOnlyBlock(v: GroupVerdict, groups: Groups, groupConn: Int32Array, map: Uint32Array, base: number, from: number, to: number): void {
  for (let k = from; k < to; k++) {
    const g = groups.nth(k);
    const c = groupConn[g]!;
    if (c < base) continue;
    v.read(g);
    v.apply(map[c]!, true);
  }
}

/** The connection columns a log-only connection's row is written into (shared when two threads write them). */
export const ROW_COLUMNS = ['vantage', 'origAddr', 'respAddr', 'origPort', 'respPort', 'firstTs', 'lastTs'] as const;
export type RowColumns = Pick<ConnTable, (typeof ROW_COLUMNS)[number]>;

/** Port of slot A_* of row r, -1 when the row names none. */
const portOf = (ch: FwChunk, r: number, slot: number): number => (ch.amask[r]! & (0x100 << slot) ? ch.port[r * 4 + slot]! : -1);

/**
 * The rows of the log-only connections among the groups made k-th for k in [from, to): those the
 * numbering gave a connection `base` or later (groupConn, firewall.ts addLogOnly). The originator
 * is the Built's `for` side when the log says, the denied packet's source for a denial by policy,
 * else the side with the higher (ephemeral) port; the span is the Built to the Teardown (the
 * Teardown's duration back from it without a Built), `offset` the log's clock ahead of the captures'.
 */
export function logOnlyRows(table: FwTable, groups: Groups, groupConn: Int32Array, cols: RowColumns, base: number, offset: number, from: number, to: number): void {
  const { vantage, origAddr, respAddr, origPort, respPort, firstTs, lastTs } = cols;
  for (let k = from; k < to; k++) {
    const g = groups.nth(k);
    const c = groupConn[g]!;
    if (c < base) continue;
    const e = groups.ref(g), ch = table.chunks[e >>> CHUNK_BITS]!, r = e & 0xffff;
    const bt = groups.built(g), td = groups.teardown(g);
    let srcOrig: boolean;
    if (groups.kind[g] === G_POLICY) srcOrig = true;
    else {
      const dir = bt >= 0 ? srcIsOrig(table, bt) : undefined;
      // (a port the event does not name counts as -1)
      srcOrig = dir ?? portOf(ch, r, A_SRC) >= portOf(ch, r, A_DST);
    }
    const os = srcOrig ? A_SRC : A_DST, rs = srcOrig ? A_DST : A_SRC;
    const m = ch.amask[r]!;
    let first = groups.first(g), last = groups.last(g);
    if (bt >= 0) first = table.ts(bt);
    else if (td >= 0 && Number.isFinite(table.duration(td))) first = table.ts(td) - table.duration(td);
    if (td >= 0) last = table.ts(td);
    vantage[c] = LOG_ONLY;
    origAddr[c] = ch.addr[r * 4 + os]!;
    respAddr[c] = ch.addr[r * 4 + rs]!;
    origPort[c] = m & (0x100 << os) ? ch.port[r * 4 + os]! : 0;
    respPort[c] = m & (0x100 << rs) ? ch.port[r * 4 + rs]! : 0;
    firstTs[c] = first - offset;
    lastTs[c] = Math.max(last, first) - offset;
  }
}
