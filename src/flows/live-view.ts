/**
 * The live engine's tables seen as a Dataset (what the records, the filter and the UI read): a
 * snapshot of how many connections there were at the last tick, over tables that go on filling.
 * Connection i's columns are read where the engine keeps them up to date; its packet rows come from
 * its chain; its firewall events from the live correlation.
 */
import { RST, anomalyBit } from '../model.js';
import { allocConnPackets, type ConnPackets } from '../analysis/conn-packets.js';
import type { Verdict } from '../analysis/teardown.js';
import { tableVerdict } from './conn-verdict.js';
import type { Dataset, LiveChanges } from './dataset.js';
import type { FwEventView } from './fw-table.js';
import type { ConnTable } from './conn-table.js';
import { LogText } from './log-text.js';
import { NO_TIMINGS } from './phase-meter.js';
import type { LiveEngine } from './live.js';

const NO_EVENTS: readonly FwEventView[] = [];
const NO_ROWS = new Uint32Array(0);

/** What the live firewall correlation gives a view (live-fw.ts); none without logs. */
export interface LiveFwView {
  /** the log clock's offset from the capture's, and how many pairs it rests on */
  offset: number;
  pairs: number;
  /** events of connection i, in time order */
  events(i: number): Uint32Array;
  /** the packet row a denied RST event refers to */
  deniedRow(e: number): number | undefined;
}

/**
 * The connection table with its count fixed at `n` (the columns, read through it, are the live
 * table's: they are only ever appended to or brought up to date in place).
 */
function pinned(conns: ConnTable, n: number): ConnTable {
  return Object.create(conns, { count: { value: n, writable: true, enumerable: true } }) as ConnTable;
}

/** The engine's state as a Dataset of its first `n` connections (default: those of the last tick). */
export function liveDataset(engine: LiveEngine, fw: LiveFwView | undefined, n = engine.published, live?: LiveChanges): Dataset {
  const conns = pinned(engine.conns, n);
  const packets = engine.packets;
  const chains = engine.chains;
  const files = engine.files.map((f) => ({ ...f, end: packets.count }));
  const rowsOf = (i: number): Uint32Array => {
    if (i < 0 || i >= n) return NO_ROWS;
    const got = chains.rows(i, new Uint32Array(Math.max(1, conns.origPkts[i]! + conns.respPkts[i]!)));
    return got.rows.length === got.n ? got.rows : got.rows.slice(0, got.n);
  };
  const fwOf = (i: number): Uint32Array => (fw ? fw.events(i) : NO_ROWS);
  const connPackets = (i: number): ConnPackets => {
    const rows = rowsOf(i);
    const p = allocConnPackets(rows.length, conns.flipped[i] === 1);
    p.reversed = conns.flipped[i] === 2;
    packets.gather(rows, 0, rows.length, p.ts, p.flags, p.seq, p.ack, p.len, p.win, p.mark);
    return p;
  };
  const RST_DENIED = anomalyBit('rst-denied');
  const verdict = (i: number): Verdict => {
    const pr = rowsOf(i);
    const { v, extra } = tableVerdict(conns, i, connPackets(i));
    if (extra & RST_DENIED && fw) {
      const l = (v.evidence['rst-denied'] ??= []);
      pr.forEach((r, k) => {
        if (!(packets.flags(r) & RST)) return;
        for (const e of fwOf(i)) if (fw.deniedRow(e) === r && !l.includes(k)) l.push(k);
      });
    }
    return v;
  };
  const fwText = new LogText(engine.fw);
  const eventObject = (e: number): FwEventView => {
    const ev: FwEventView = engine.fw.event(e, engine.addrs, (x) => fwText.body(x));
    ev.index = e;
    return ev;
  };
  const packetRows = (i: number): Uint32Array => {
    const r = rowsOf(i);
    let sorted = true;
    for (let k = 1; k < r.length && sorted; k++) sorted = packets.ts(r[k - 1]!) <= packets.ts(r[k]!);
    return sorted ? r : Uint32Array.from(Array.from(r).sort((a, b) => packets.ts(a) - packets.ts(b) || a - b));
  };
  return {
    files,
    logs: engine.logs,
    fw: engine.fw,
    packets,
    conns,
    addrs: engine.addrs,
    issues: engine.issues,
    logOffset: { seconds: fw?.offset ?? 0, pairs: fw?.pairs ?? 0 },
    packetRows,
    primaryRows: rowsOf,
    connPackets,
    verdict,
    firewallOf: (i) => {
      const l = fwOf(i);
      return l.length ? Array.from(l, eventObject) : NO_EVENTS;
    },
    fwEvents: fwOf,
    fwText,
    vantageMask: (i) => conns.vantageMask[i]!,
    // (several interfaces in one stream: a packet's vantage is its connection's, never merged away live)
    ...(files.length > 1 ? { rowVantage: (r: number) => Math.min(conns.vantage[packets.conn(r)]!, files.length - 1) } : {}),
    eventPacket: (e) => (e.index === undefined || !fw ? undefined : fw.deniedRow(e.index)),
    flowLinesWritten: false,
    ...(live ? { live } : {}),
    timings: NO_TIMINGS,
  };
}

/** Every row of `ds`: 0 .. count-1, less (live on several interfaces) those merged into another row. */
export function everyRow(ds: Dataset): Uint32Array {
  const n = ds.conns.count, hidden = ds.live?.hidden;
  let k = 0;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) if (!hidden?.(i)) out[k++] = i;
  return k === n ? out : out.slice(0, k);
}
