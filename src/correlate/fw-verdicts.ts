/**
 * What the firewall's log says about each connection, once the connections are renumbered:
 * - the events of each connection (an index by connection, events in time order);
 * - the verdicts of log-only connections, from the log alone: no conn_state or history (they
 *   describe packets), the class from the teardown reason (asa-reasons.ts), `denied` for a denial
 *   by policy, the closing side the reason names, the anomalies the log shows (late-rst,
 *   rst-denied, after-timeout), the firewall's byte count;
 * - the same for captured connections where the packets do not contradict the log (a capture that
 *   ended before the connection did says `open`; the log says how it ended);
 * - each denied RST linked to the captured packet it denies.
 */
import { CLOSED_BY, RST, TEARDOWNS, type ClosedBy, type Teardown } from '../model.js';
import { K_NOCONN } from '../read/asa.js';
import { A_SRC, A_SMAP } from '../read/fw-chunk.js';
import type { ConnTable } from '../flows/conn-table.js';
import type { PacketTable } from '../flows/packet-table.js';
import type { FwTable } from '../flows/fw-table.js';
import { chunkIndex } from '../read/fw-chunk-index.js';
import type { Correlation } from './firewall.js';
import { endIndex, GroupVerdict, LOG_BLOCK, LOG_ONLY, logOnlyBlock } from './fw-group-verdict.js';
import { inBlocks, type VerdictShare, type VerdictThread } from './fw-verdict-thread.js';

export const NO_EVENTS_INDEX = new Uint32Array(0);

/**
 * Events of each connection (new numbering): events[start[i], start[i+1]), in time order. `shared`:
 * in shared memory, where the output's worker reads them as they are (no copy, no walk to index them).
 * A log connection's events are its Built and Teardown, its other events (Correlation.pairs) and the
 * local-host lines near it; they go to the connection it became or joined and to that one at
 * other vantages (groupExtra), each connection's once.
 */
export function eventsByConn(table: FwTable, corr: Correlation, map: Uint32Array, n: number, shared = false): { start: Uint32Array; events: Uint32Array } {
  const u32 = (len: number): Uint32Array => (shared ? new Uint32Array(new SharedArrayBuffer(4 * len)) : new Uint32Array(len));
  const { groups, groupConn, groupExtra, pairs, lhPairs } = corr;
  const start = u32(n + 1);
  let events: Uint32Array = new Uint32Array(0);
  // pass 1 counts each connection's events into start[c + 1]; pass 2 places them, start[c] the cursor
  // (a connection met twice for one event, two vantages merged into one row, is dropped below)
  const visit = (place: boolean): void => {
    const to = (e: number, g: number): void => {
      const c = map[groupConn[g]!]!;
      if (place) events[start[c]!++] = e;
      else start[c + 1]!++;
      const more = groupExtra.size ? groupExtra.get(g) : undefined;
      if (more) for (const x of more) {
        const cx = map[x]!;
        if (place) events[start[cx]!++] = e;
        else start[cx + 1]!++;
      }
    };
    for (let g = 0; g < groups.n; g++) {
      if (groupConn[g]! < 0) continue;
      const b = groups.built(g), t = groups.teardown(g);
      if (b >= 0) to(b, g);
      if (t >= 0) to(t, g);
    }
    const p = pairs.a;
    for (let k = 0; k < 2 * pairs.n; k += 2) if (groupConn[p[k + 1]!]! >= 0) to(p[k]!, p[k + 1]!);
    for (let k = 0; k < lhPairs.length; k += 2) to(lhPairs[k]!, lhPairs[k + 1]!);
  };
  visit(false);
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  events = u32(start[n]!);
  visit(true);
  // (each cursor ended at the next connection's start: back one place)
  for (let i = n; i > 0; i--) start[i] = start[i - 1]!;
  start[0] = 0;
  // each connection's events in event order, once each (a Built before its Teardown is in order
  // already: most connections' lists are), the start moved down past those dropped
  let w = 0;
  for (let i = 0; i < n; i++) {
    const s = start[i]!, t = start[i + 1]!;
    start[i] = w;
    let sorted = true;
    for (let k = s + 1; k < t && sorted; k++) if (events[k]! <= events[k - 1]!) sorted = false;
    if (!sorted) events.subarray(s, t).sort();
    for (let k = s; k < t; k++) if (k === s || events[k] !== events[k - 1]) events[w++] = events[k]!;
  }
  start[n] = w;
  // in time order (a connection's events come from one log mostly in order already). They are
  // listed in event order: when the whole table is in time order (a log written as time went), so
  // is every connection's list, and the check per connection (a random read of each event's time)
  // is left out
  if (inTimeOrder(table)) return { start, events };
  for (let i = 0; i < n; i++) {
    const s = start[i]!, t = start[i + 1]!;
    if (t - s < 2) continue;
    let sorted = true;
    for (let k = s + 1; k < t && sorted; k++) if (table.ts(events[k]!) < table.ts(events[k - 1]!)) sorted = false;
    if (!sorted) {
      const l = Array.from(events.subarray(s, t)).sort((a, b) => table.ts(a) - table.ts(b) || a - b);
      events.set(l, s);
    }
  }
  return { start, events };
}

/**
 * Whether the events' times never go back in event order (times that are not numbers aside: a
 * check per connection sees no disorder in them either).
 */
function inTimeOrder(table: FwTable): boolean {
  let max = -Infinity;
  for (const c of table.chunks) {
    const x = chunkIndex(c);
    if (!x.ordered || x.lo < max) return false;
    if (x.hi > max) max = x.hi;
  }
  return true;
}

/** Which end of connection i (orig/resp) the side `slot` of event e is, by address (real or mapped) and port. */
export function endOf(table: FwTable, e: number, side: 'src' | 'dst', conns: ConnTable, i: number): ClosedBy {
  return CLOSED_BY[endIndex(table, e, side === 'src', conns, i)]!;
}

/** Whether the packets' class leaves room for the log's (they do not contradict it). */
export function logMayTell(packets: Teardown, log: Teardown): boolean {
  if (log === 'open' || packets === log) return false;
  if (packets === 'open') return true;
  if (packets === 'half-closed') return log === 'timeout' || log === 'firewall-reset' || log === 'abort';
  if (packets === 'unanswered') return log === 'denied' || log === 'timeout' || log === 'firewall-reset';
  return false;
}

/**
 * The log's verdicts of every connection a Built/Teardown or deny group became or joined (see the
 * file's head). The connections of captures here, in the order the groups were made (where two go
 * to one connection, the later decides); the log-only ones, a group each, in blocks this thread
 * and `thread` (fw-verdict-thread.ts: 3 M of them at 10 M log lines, each a random read of its
 * Teardown's row) take from a shared counter. `meanwhile` runs once the worker has its task, before
 * this thread's first verdict.
 */
export function applyLogVerdicts(table: FwTable, corr: Correlation, map: Uint32Array, conns: ConnTable, thread?: Pick<VerdictThread, 'run'>,
  meanwhile?: () => void, block = LOG_BLOCK): VerdictShare {
  const { groups, groupConn, groupExtra, logOnlyBase: base } = corr;
  const v = new GroupVerdict(table, groups, conns);
  return inBlocks(thread, { kind: 'verdicts', table, groups, groupConn, base, map, cols: conns }, groups.n, block,
    (from, to) => logOnlyBlock(v, groups, groupConn, map, base, from, to), () => {
      // (work of the caller's, then the captured connections': the worker's blocks overlap them)
      meanwhile?.();
      for (let k = 0; k < groups.n; k++) {
        const g = groups.nth(k);
        const first = groupConn[g]!;
        if (first >= 0 && first < base) captured(v, g, first, map, groupExtra.size ? groupExtra.get(g) : undefined, conns);
      }
    });
}

/**
 * Group g's verdict on the captured connection `first` it joined, and on `more` at other vantages.
 * (A log-only connection is one group's, made for it: addLogOnly; the vantage matching merges none.)
 */
function captured(v: GroupVerdict, g: number, first: number, map: Uint32Array, more: number[] | undefined, conns: ConnTable): void {
  v.read(g);
  for (let t = -1; t < (more?.length ?? 0); t++) {
    const i = map[t < 0 ? first : more![t]!]!;
    // (the same connection twice: vantages merged into one row)
    if (t >= 0 && (i === map[first] || more!.slice(0, t).some((x) => map[x] === i))) continue;
    v.apply(i, false);
    if (logMayTell(TEARDOWNS[conns.teardown[i]!] ?? 'open', TEARDOWNS[v.tdIndex]!)) {
      conns.teardown[i] = v.tdIndex;
      conns.closedBy[i] = v.closedBy(i);
    }
  }
}

/**
 * The packet each denied RST (a no-connection deny with RST) refers to, when a capture has it: a
 * RST from the deny's source port, closest in time.
 */
export function linkDeniedRsts(table: FwTable, offset: number, conns: ConnTable, packets: PacketTable, fwOf: (i: number) => Uint32Array,
  rowsOf: (i: number) => Uint32Array): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 0; i < conns.count; i++) {
    if (conns.vantage[i] === LOG_ONLY) continue;
    const evs = fwOf(i);
    if (evs.length === 0) continue;
    for (const e of evs) {
      if (table.kind(e) !== K_NOCONN || !(table.flags(e) & RST)) continue;
      const t = table.ts(e) + (Number.isInteger(table.ts(e)) ? 0.5 : 0) - offset;
      const sp = table.port(e, A_SRC), smp = table.port(e, A_SMAP);
      let best = -1, bestD = Infinity;
      for (const r of rowsOf(i)) {
        if (!(packets.flags(r) & RST)) continue;
        const fromResp = (packets.mark(r) & 1) !== 0;
        const sport = fromResp ? conns.respPort[i]! : conns.origPort[i]!;
        if (sp !== sport && smp !== sport) continue;
        const d = Math.abs(packets.ts(r) - t);
        if (d < bestD) {
          best = r;
          bestD = d;
        }
      }
      if (best >= 0) out.set(e, best);
    }
  }
  return out;
}
