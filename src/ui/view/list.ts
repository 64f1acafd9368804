/**
 * The connection list as data: columns (which fit a width), cell text of one row, sort orders over
 * index arrays. Render only ever asks for the visible rows; nothing here maps over all rows except
 * `sortIndices`, which runs once per sort or filter change, not per key press.
 */
import { eventTag } from '../../read/vendors.js';
import { endpoint } from '../../export/records.js';
import { ANOMALIES, CONN_STATES, TEARDOWNS, type Anomaly } from '../../model.js';
import { humanDelta } from '../../analysis/glossary.js';
import type { Dataset } from '../../flows/dataset.js';
import { stripControls } from '../../text.js';
import { fit, fitLeft, shortNum, timeOfDay } from './text.js';

/** Two-letter codes of the anomalies for the narrow column; the legend says what they are. */
export const ANOMALY_CODES: Record<Anomaly, string> = {
  'rst-after-fin': 'RF',
  'late-rst': 'LR',
  'data-after-fin': 'DF',
  'data-after-rst': 'DR',
  'no-close-notify': 'NC',
  midstream: 'MS',
  'port-reuse': 'PR',
  retransmission: 'RT',
  'zero-window': 'ZW',
  'rst-denied': 'RD',
  'dropped-between-vantages': 'DV',
  'firewall-only': 'FO',
  'after-timeout': 'AT',
};

export function anomalyCodes(mask: number): string {
  let s = '';
  for (let b = 0; b < ANOMALIES.length; b++) if (mask & (1 << b)) s += (s ? ' ' : '') + ANOMALY_CODES[ANOMALIES[b]!];
  return s;
}

/** `LR late-rst  RF rst-after-fin ...` for the codes present in `mask` (all when mask is -1). */
export function anomalyLegend(mask = -1): string {
  const parts: string[] = [];
  for (let b = 0; b < ANOMALIES.length; b++) if (mask & (1 << b)) parts.push(`${ANOMALY_CODES[ANOMALIES[b]!]} ${ANOMALIES[b]}`);
  return parts.join('  ');
}

export const COLUMN_IDS = ['id', 'conn', 'start', 'duration', 'packets', 'bytes', 'state', 'teardown', 'anomalies', 'lost', 'fw', 'vantage'] as const;
export type ColumnId = (typeof COLUMN_IDS)[number];

interface ColumnDef {
  id: ColumnId;
  title: string;
  width: number;
  right?: boolean;
  /** lower goes first when the width runs short */
  drop: number;
}

const DEFS: Record<ColumnId, ColumnDef> = {
  id: { id: 'id', title: '#', width: 5, right: true, drop: 99 },
  conn: { id: 'conn', title: 'orig -> resp', width: 30, drop: 99 },
  start: { id: 'start', title: 'start', width: 12, drop: 2 },
  duration: { id: 'duration', title: 'dur', width: 8, right: true, drop: 5 },
  packets: { id: 'packets', title: 'pkts', width: 5, right: true, drop: 4 },
  bytes: { id: 'bytes', title: 'bytes', width: 6, right: true, drop: 1 },
  state: { id: 'state', title: 'state', width: 6, drop: 6 },
  teardown: { id: 'teardown', title: 'teardown', width: 12, drop: 8 },
  anomalies: { id: 'anomalies', title: 'anom', width: 11, drop: 9 },
  // (after the firewall's column: at 80 columns with a log, the firewall's events stay)
  lost: { id: 'lost', title: 'lost', width: 5, right: true, drop: 6.5 },
  fw: { id: 'fw', title: 'firewall', width: 13, drop: 7 },
  vantage: { id: 'vantage', title: 'seen at', width: 12, drop: 3 },
};

export interface Column extends ColumnDef {}

/**
 * The columns that fit `width` (the marker gutter of 2 excluded). The connection column takes
 * what is left, so at 80 columns the 5-tuple stays readable and the least useful columns go.
 * `fw`, `vantage`, `lost`: the inputs have firewall logs, several captures, a connection that lost data (anyLoss).
 */
export function layoutColumns(width: number, opts: { fw: boolean; vantage: boolean; lost?: boolean }): Column[] {
  const ids = COLUMN_IDS.filter((c) => (c !== 'fw' || opts.fw) && (c !== 'vantage' || opts.vantage) && (c !== 'lost' || opts.lost === true));
  const avail = width - 2;
  const cols = ids.map((id) => ({ ...DEFS[id] }));
  const total = (): number => cols.reduce((s, c) => s + c.width + 1, -1);
  while (total() > avail) {
    let worst = -1;
    for (let k = 0; k < cols.length; k++) if (cols[k]!.drop < 99 && (worst < 0 || cols[k]!.drop < cols[worst]!.drop)) worst = k;
    if (worst < 0) break;
    cols.splice(worst, 1);
  }
  const conn = cols.find((c) => c.id === 'conn')!;
  conn.width = Math.max(10, conn.width + avail - total());
  return cols;
}

/**
 * Cell text of connection i in column c (already cut to the column's width). Rows are plain
 * ASCII (`->` between the ends as in the header, `us` for microseconds) in both themes: Ink
 * measures a changed text with string-width, which takes its fast path only for printable
 * ASCII; one `→` a row sent every line of the page through Intl.Segmenter twice a repaint
 * (~3.5 ms of the ~16 ms a `j` cost at 1 M connections, CPU profile), and rows with `µs` cost up
 * to 9 ms in a frame that showed new ones.
 */
export function cellText(ds: Dataset, i: number, c: Column): string {
  const k = ds.conns;
  let s: string;
  switch (c.id) {
    case 'id': s = String(ds.live ? ds.live.idOf(i) : i + 1); break;
    case 'conn': s = `${endpoint(ds.addrs.text(k.origAddr[i]!), k.origPort[i]!)} -> ${endpoint(ds.addrs.text(k.respAddr[i]!), k.respPort[i]!)}`; break;
    case 'start': s = timeOfDay(k.firstTs[i]!); break;
    case 'duration': s = humanDelta(k.lastTs[i]! - k.firstTs[i]!).replace('µs', 'us'); break;
    case 'packets': s = shortNum(k.origPkts[i]! + k.respPkts[i]!); break;
    case 'bytes': s = shortNum(k.origBytes[i]! + k.respBytes[i]!); break;
    case 'state': s = CONN_STATES[k.connState[i]!] ?? '?'; break;
    case 'teardown': s = TEARDOWNS[k.teardown[i]!] ?? '?'; break;
    case 'anomalies': s = anomalyCodes(k.anomalies[i]!); break;
    case 'lost': s = lostCell(ds, i); break;
    case 'fw': s = firewallCell(ds, i); break;
    case 'vantage': s = vantageCell(ds, i); break;
  }
  s = stripControls(s);
  return c.right ? fitLeft(s, c.width) : fit(s, c.width);
}

/** Unacknowledged bytes at the RST, both sides (`2.0k`); `yes` for data lost after the RST alone; blank for none or unknown. */
export function lostCell(ds: Dataset, i: number): string {
  const k = ds.conns;
  const u = unackedSum(ds, i);
  if (u > 0) return shortNum(u);
  return k.dataLost[i] === 1 ? 'yes' : '';
}

/** Both sides' unacknowledged bytes (an unknown side counts 0; -1 when both are unknown). */
function unackedSum(ds: Dataset, i: number): number {
  const o = ds.conns.unackedOrig[i] ?? NaN, r = ds.conns.unackedResp[i] ?? NaN;
  if (o !== o && r !== r) return -1;
  return (o === o ? o : 0) + (r === r ? r : 0);
}

const lossSeen = new WeakMap<Dataset, boolean>();
/** Whether any connection lost data (once per dataset): the list shows its `lost` column then. */
export function anyLoss(ds: Dataset | undefined): boolean {
  if (!ds) return false;
  let v = lossSeen.get(ds);
  if (v === undefined) {
    v = false;
    const lost = ds.conns.dataLost;
    for (let i = 0; i < ds.conns.count && !v; i++) v = lost[i] === 1;
    lossSeen.set(ds, v);
  }
  return v;
}

export function firewallCell(ds: Dataset, i: number): string {
  const ev = ds.firewallOf(i);
  if (ev.length === 0) return '';
  const last = ev[ev.length - 1]!;
  // the deny is what matters most; else the last event (usually the teardown)
  const e = ev.find((x) => x.kind === 'deny-no-conn' || x.kind === 'deny') ?? ev.find((x) => x.kind === 'teardown') ?? last;
  const what = e.kind === 'deny-no-conn' ? 'deny' : e.reason ?? e.kind;
  return `${eventTag(e.vendor, e.msgid)} ${what}${ev.length > 1 ? ` +${ev.length - 1}` : ''}`;
}

export function vantageCell(ds: Dataset, i: number): string {
  const m = ds.vantageMask(i);
  if (m === 0) return 'log only';
  const names: string[] = [];
  for (let v = 0; v < ds.files.length; v++) if (m & (1 << v)) names.push(ds.files[v]!.name.replace(/\.(pcapng|pcap)(\.gz)?$/, ''));
  return names.join(',');
}

export function headerText(cols: readonly Column[]): string {
  return cols.map((c) => (c.right ? fitLeft(c.title, c.width) : fit(c.title, c.width))).join(' ');
}

/** Sort keys `s` cycles through, in order. */
export const SORT_KEYS = ['id', 'duration', 'packets', 'bytes', 'state', 'teardown', 'anomalies', 'lost', 'orig'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export function nextSortKey(k: SortKey): SortKey {
  return SORT_KEYS[(SORT_KEYS.indexOf(k) + 1) % SORT_KEYS.length]!;
}

/** The numeric sort key of connection i (ties keep connection order). */
function keyFn(ds: Dataset, key: SortKey): (i: number) => number {
  const c = ds.conns;
  switch (key) {
    case 'id': return (i) => i;
    case 'duration': return (i) => c.lastTs[i]! - c.firstTs[i]!;
    case 'packets': return (i) => c.origPkts[i]! + c.respPkts[i]!;
    case 'bytes': return (i) => c.origBytes[i]! + c.respBytes[i]!;
    case 'state': return (i) => c.connState[i]!;
    case 'teardown': return (i) => c.teardown[i]!;
    // more anomalies first sorts high; the mask value groups equal sets together
    case 'anomalies': return (i) => popcount(c.anomalies[i]!) * 2 ** 32 + c.anomalies[i]!;
    // unacknowledged bytes; at equal counts, data lost (after the RST) above none; unknown lowest
    case 'lost': return (i) => unackedSum(ds, i) * 2 + (c.dataLost[i] === 1 ? 1 : 0);
    // the client's address, then its port: IPv4 by value, then IPv6 by the whole address; not by
    // address id, which follows the order the inputs were read in
    case 'orig': return (i) => addressKey(ds, c.origAddr[i]!) * 65536 + c.origPort[i]!;
  }
}

/**
 * An address as a number that sorts as the address (a key is a double): IPv4 by value, IPv6 after
 * them by its place among the IPv6 addresses (AddrTable.v6Rank). Below 2^33: times 65536 plus a
 * port it stays an exact integer.
 */
function addressKey(ds: Dataset, id: number): number {
  const v4 = ds.addrs.v4Value(id);
  return v4 >= 0 ? v4 : 2 ** 32 + ds.addrs.v6Rank(id);
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v; v &= v - 1) n++;
  return n;
}

/**
 * `indices` (ascending connection indices) in the order of `key`; a new array. Keys are read
 * once into a Float64Array so the comparator does no work beyond two loads.
 */
export function sortIndices(ds: Dataset, indices: Uint32Array, key: SortKey, reverse: boolean): Uint32Array {
  const n = indices.length;
  // (in id order the filter's array serves as is: it is not written while it is the one shown)
  if (key === 'id') return reverse ? indices.slice().reverse() : indices;
  const f = keyFn(ds, key);
  const keys = new Float64Array(n);
  for (let k = 0; k < n; k++) keys[k] = f(indices[k]!);
  const pos = new Uint32Array(n);
  for (let k = 0; k < n; k++) pos[k] = k;
  const dir = reverse ? -1 : 1;
  pos.sort((a, b) => (keys[a]! - keys[b]!) * dir || a - b);
  const out = new Uint32Array(n);
  for (let k = 0; k < n; k++) out[k] = indices[pos[k]!]!;
  return out;
}
