/**
 * The dataset seen through the filter language's FilterTarget: mostly the connection table's own
 * columns; the derived ones (packets, bytes, duration) computed once here.
 */
import { CLOSED_BY, CONN_STATES, TEARDOWNS, anomalyNames } from '../model.js';
import type { FilterTarget } from '../filter/target.js';
import type { Dataset } from './dataset.js';
import { endpoint, vantageNames } from '../export/records.js';
import { findingIndex } from '../analysis/findings.js';

const NONE: readonly never[] = [];

/** The columns the target derives from the table's (a live view keeps them and updates the rows that change). */
export interface DerivedColumns {
  packets: Uint32Array;
  bytes: Float64Array;
  duration: Float64Array;
}

/** Fill rows [from, to) of the derived columns, and the rows in `also`. */
export function deriveRows(ds: Dataset, d: DerivedColumns, from: number, to: number, also: ArrayLike<number> = []): void {
  const c = ds.conns;
  const { packets, bytes, duration } = d;
  for (let k = from - also.length; k < to; k++) {
    const i = k < from ? also[k - from + also.length]! : k;
    packets[i] = c.origPkts[i]! + c.respPkts[i]!;
    bytes[i] = c.origBytes[i]! + c.respBytes[i]!;
    duration[i] = c.lastTs[i]! - c.firstTs[i]!;
  }
}

export function datasetTarget(ds: Dataset, derived?: DerivedColumns): FilterTarget {
  const c = ds.conns;
  const n = c.count;
  let d = derived;
  if (!d) {
    d = { packets: new Uint32Array(n), bytes: new Float64Array(n), duration: new Float64Array(n) };
    deriveRows(ds, d, 0, n);
  }
  const { packets, bytes, duration } = d;
  return {
    count: n,
    addrs: { count: ds.addrs.count, bytes: (id) => ds.addrs.bytes(id), text: (id) => ds.addrs.text(id), packed: ds.addrs.packed() },
    origAddr: c.origAddr,
    respAddr: c.respAddr,
    origPort: c.origPort,
    respPort: c.respPort,
    flagsOrig: c.flagsOrig,
    flagsResp: c.flagsResp,
    teardown: c.teardown,
    closedBy: c.closedBy,
    connState: c.connState,
    anomalies: c.anomalies,
    history: (i) => c.histories[i] ?? '',
    duration,
    packets,
    bytes,
    unackedOrig: c.unackedOrig,
    unackedResp: c.unackedResp,
    dataLost: c.dataLost,
    splitFrom: c.splitFrom,
    splitTo: c.splitTo,
    splitWhy: c.splitWhy,
    vantageMask: c.vantageMask,
    vantageNames: ds.files.map((f) => f.name),
    fwMsgids: (i) => { const l = ds.firewallOf(i); return l.length ? l.map((e) => e.msgid) : NONE; },
    fwReasons: (i) => { const l = ds.firewallOf(i); return l.length ? l.map((e) => e.reason ?? '').filter((r) => r !== '') : NONE; },
    fwKinds: (i) => { const l = ds.firewallOf(i); return l.length ? [...new Set(l.map((e) => e.kind))] : NONE; },
    fwVendors: (i) => { const l = ds.firewallOf(i); return l.length ? [...new Set(l.map((e) => e.vendor))] : NONE; },
    fwDevices: (i) => { const l = ds.firewallOf(i); return l.length ? [...new Set(l.map((e) => e.host ?? '').filter((h) => h !== ''))] : NONE; },
    tls: c.tls,
    findings: () => findingIndex(ds),
    describe: (i) => describeConn(ds, i),
    ...(ds.live ? { idOf: ds.live.idOf } : {}),
  };
}

/** The one-line description fuzzy search runs over (and the UI may show). */
export function describeConn(ds: Dataset, i: number): string {
  const c = ds.conns;
  const fw = ds.firewallOf(i);
  return [
    `#${ds.live ? ds.live.idOf(i) : i + 1}`,
    `${endpoint(ds.addrs.text(c.origAddr[i]!), c.origPort[i]!)} -> ${endpoint(ds.addrs.text(c.respAddr[i]!), c.respPort[i]!)}`,
    CONN_STATES[c.connState[i]!],
    c.histories[i],
    TEARDOWNS[c.teardown[i]!],
    `closed-by-${CLOSED_BY[c.closedBy[i]!]}`,
    ...anomalyNames(c.anomalies[i]!),
    ...vantageNames(ds, ds.vantageMask(i)),
    ...fw.map((e) => `${e.msgid} ${e.reason ?? ''}`),
  ].join(' ');
}
