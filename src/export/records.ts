/**
 * The records `flows` and `packets` print and the exports write. Field names are a contract
 * (issue 2): keep them stable; later issues only add fields.
 */
import { CLOSED_BY, CONN_STATES, NO_CONN_STATE, TEARDOWNS, anomalyNames, flagLetters } from '../model.js';
import type { Dataset } from '../flows/dataset.js';
import { stripControls } from '../text.js';
import { nflogNoteAt, type NflogNote } from '../flows/nflog-notes.js';
import { SPLIT_NAMES, splitReason } from '../flows/zeek-lifetime.js';

export interface FlowRecord {
  id: number;
  orig_h: string;
  orig_p: number;
  resp_h: string;
  resp_p: number;
  ts: number;
  duration: number;
  orig_pkts: number;
  resp_pkts: number;
  orig_bytes: number;
  resp_bytes: number;
  /** null for a connection known only from a firewall log: it describes packets, and there are none */
  conn_state: string | null;
  history: string | null;
  teardown: string;
  closed_by: string;
  anomalies: string[];
  vantages: string[];
  firewall: { ts: number; vendor: string; msgid: number; text: string; reason: string | null }[];
  /** bytes the firewall counted for the connection (its Teardown line), null when no log says */
  fw_bytes: number | null;
  /**
   * payload bytes the originator / responder had sent that the peer had not acknowledged at the
   * first RST (else at the end of the capture), at the primary vantage; null when unknown (no
   * packets, or no ACK of the peer's captured): analysis/impact.ts
   */
  unacked_orig: number | null;
  unacked_resp: number | null;
  /** a side had bytes unacknowledged at a RST, or data came after one; null when unknown */
  data_lost: boolean | null;
  /**
   * ids of the connections Zeek's lifetime rules split from this one's 4-tuple (flows/zeek-lifetime.ts):
   * the tuple's previous connection and its next one, in that order, where they exist
   */
  related: number[];
  /** why this connection was started instead of its packets joining the previous one (reuse, close, attempt, linger, idle); null: the tuple's first */
  split: string | null;
}

/** Index of the capture file (vantage) that packet-table row `row` came from: files hold contiguous row ranges. */
export function fileOfRow(ds: Dataset, row: number): number {
  if (ds.rowVantage) return ds.rowVantage(row);
  let lo = 0, hi = ds.files.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ds.files[mid]!.first <= row) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** `host:port`, with an IPv6 host in brackets (`[fd99::1]:443`) so the port can be told apart. */
export const endpoint = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** Names of the vantages in a mask. */
export function vantageNames(ds: Dataset, mask: number): string[] {
  const out: string[] = [];
  for (let v = 0; v < ds.files.length && v < 32; v++) if (mask & (1 << v)) out.push(ds.files[v]!.name);
  return out;
}

/** Round to microseconds, the precision captures give (keeps 1529495650.443687 printable). */
export const roundUs = (x: number): number => Math.round(x * 1e6) / 1e6;

/** `firewall`: the firewall records when the caller has them already, or does not use them (zeek). */
export function flowRecord(ds: Dataset, i: number, firewall?: FlowRecord['firewall']): FlowRecord {
  const c = ds.conns;
  return {
    id: ds.live ? ds.live.idOf(i) : i + 1,
    orig_h: ds.addrs.text(c.origAddr[i]!),
    orig_p: c.origPort[i]!,
    resp_h: ds.addrs.text(c.respAddr[i]!),
    resp_p: c.respPort[i]!,
    ts: roundUs(c.firstTs[i]!),
    duration: roundUs(c.lastTs[i]! - c.firstTs[i]!),
    orig_pkts: c.origPkts[i]!,
    resp_pkts: c.respPkts[i]!,
    orig_bytes: c.origBytes[i]!,
    resp_bytes: c.respBytes[i]!,
    conn_state: c.connState[i] === NO_CONN_STATE ? null : CONN_STATES[c.connState[i]!] ?? 'OTH',
    history: c.connState[i] === NO_CONN_STATE ? null : c.histories[i] ?? '',
    teardown: TEARDOWNS[c.teardown[i]!] ?? 'open',
    closed_by: CLOSED_BY[c.closedBy[i]!] ?? 'none',
    anomalies: anomalyNames(c.anomalies[i]!),
    vantages: vantageNames(ds, ds.vantageMask(i)),
    firewall: firewall ?? firewallRecords(ds, i),
    fw_bytes: fwBytesOf(c.fwBytes, i),
    unacked_orig: countOf(c.unackedOrig, i),
    unacked_resp: countOf(c.unackedResp, i),
    data_lost: dataLostOf(c.dataLost, i),
    related: relatedIds(ds, i),
    split: splitOf(c.splitWhy, i),
  };
}

/** The ids of connection i's split neighbours (previous, next), as relatedOf gives them. */
export function relatedIds(ds: Dataset, i: number): number[] {
  const c = ds.conns;
  const id = (x: number): number => (ds.live ? ds.live.idOf(x - 1) : x);
  return relatedOf(c.splitFrom, c.splitTo, i).map(id);
}

/** Connection i's split neighbours as index + 1 (previous first), from the columns; none when the table has no such columns. */
export function relatedOf(from: Uint32Array | undefined, to: Uint32Array | undefined, i: number): number[] {
  const a = from?.[i] ?? 0, b = to?.[i] ?? 0;
  return a && b ? [a, b] : a ? [a] : b ? [b] : [];
}

/**
 * Connection i's split links in words, for explain and the UI: `split from #N: <why>` and
 * `continued as #M: <why>` (the reason the later row was started), or none.
 */
export function splitNotes(ds: Dataset, i: number): string[] {
  const c = ds.conns;
  const a = c.splitFrom?.[i] ?? 0, b = c.splitTo?.[i] ?? 0;
  const id = (x: number): number => (ds.live ? ds.live.idOf(x - 1) : x);
  const out: string[] = [];
  if (a) out.push(`split from #${id(a)}: ${splitReason(c.splitWhy[i]!)}`);
  if (b) out.push(`continued as #${id(b)}: ${splitReason(c.splitWhy[b - 1] ?? 0)}`);
  return out;
}

/** The split word of connection i (SPLIT_NAMES), null for none. */
export const splitOf = (col: Uint8Array | undefined, i: number): string | null => {
  const w = SPLIT_NAMES[col?.[i] ?? 0];
  return w ? w : null;
};

/** A count of connection i from a column where NaN is unknown: null then (also for a table that has no such column yet). */
export const countOf = (col: Float64Array | undefined, i: number): number | null => {
  const v = col?.[i];
  return v === undefined || Number.isNaN(v) ? null : v;
};

/** The firewall's byte count of connection i, null when none. */
export const fwBytesOf = countOf;

/** data_lost of connection i (impact.ts LOST_*): true, false, or null when unknown. */
export const dataLostOf = (col: Uint8Array | undefined, i: number): boolean | null => {
  const v = col?.[i];
  return v === 1 ? true : v === 0 ? false : null;
};

/** The firewall events of connection i as the flow records give them (log text stripped of controls). */
export function firewallRecords(ds: Dataset, i: number): FlowRecord['firewall'] {
  const fw = ds.fw;
  return Array.from(ds.fwEvents(i), (e) => ({ ts: fw.ts(e), vendor: fw.vendor(e), msgid: fw.msgid(e), text: stripControls(ds.fwText.body(e)), reason: fw.reason(e) ?? null }));
}

/**
 * The same as JSON, written straight from the event columns (the `flows` NDJSON of a log-only load
 * is mostly this). The text needs no second stripping: LogText.body leaves no control character.
 */
export function firewallJson(ds: Dataset, i: number): string {
  const evs = ds.fwEvents(i);
  if (evs.length === 0) return '[]';
  const fw = ds.fw;
  let s = '[';
  for (let k = 0; k < evs.length; k++) {
    const e = evs[k]!;
    const reason = fw.reason(e);
    s += `${k ? ',' : ''}{"ts":${JSON.stringify(fw.ts(e))},"vendor":${JSON.stringify(fw.vendor(e))},"msgid":${fw.msgid(e)},"text":${JSON.stringify(ds.fwText.body(e))},"reason":${reason === undefined ? 'null' : JSON.stringify(reason)}}`;
  }
  return s + ']';
}

export interface PacketRecord {
  file: string;
  vantage: string;
  frame: number;
  ts: number;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  flags: string;
  seq: number;
  ack: number;
  len: number;
  win: number;
  flow: number;
  /** NFLOG captures: the log group and the rule's prefix (control characters stripped) */
  nflog_group?: number;
  nflog_prefix?: string;
}

/** The NFLOG group and prefix of packet-table row `row` (control characters left in), if its capture is NFLOG. */
export function nflogOfRow(ds: Dataset, row: number, fileIndex = fileOfRow(ds, row)): NflogNote | undefined {
  const notes = ds.files[fileIndex]?.nflog;
  return notes === undefined ? undefined : nflogNoteAt(notes, ds.packets.frame(row));
}

/** Record of packet-table row `p` (its file is found from the row ranges). */
export function packetRecord(ds: Dataset, p: number, fileIndex: number): PacketRecord {
  const pk = ds.packets;
  const c = pk.conn(p);
  const resp = (pk.mark(p) & 1) !== 0;
  const cs = ds.conns;
  const oh = ds.addrs.text(cs.origAddr[c]!), rh = ds.addrs.text(cs.respAddr[c]!);
  const op = cs.origPort[c]!, rp = cs.respPort[c]!;
  const f = ds.files[fileIndex]!;
  return {
    file: f.path,
    vantage: f.name,
    frame: pk.frame(p),
    ts: roundUs(pk.ts(p)),
    src: resp ? rh : oh,
    sport: resp ? rp : op,
    dst: resp ? oh : rh,
    dport: resp ? op : rp,
    flags: flagLetters(pk.flags(p)),
    seq: pk.seq(p),
    ack: pk.ack(p),
    len: pk.len(p),
    win: pk.win(p),
    flow: ds.live ? ds.live.idOf(c) : c + 1,
    ...nflogFields(nflogOfRow(ds, p, fileIndex)),
  };
}

/** How views tag a packet of an NFLOG capture: `NFLOG group 5 "INVALID DROP: "` (control characters stripped). */
export const nflogTag = (n: NflogNote): string => `NFLOG group ${n.group} "${stripControls(n.prefix)}"`;

const nflogFields = (n: NflogNote | undefined): Pick<PacketRecord, 'nflog_group' | 'nflog_prefix'> =>
  n === undefined ? {} : { nflog_group: n.group, nflog_prefix: stripControls(n.prefix) };

export const FLOW_FIELDS = [
  'id', 'orig_h', 'orig_p', 'resp_h', 'resp_p', 'ts', 'duration', 'orig_pkts', 'resp_pkts', 'orig_bytes', 'resp_bytes',
  'conn_state', 'history', 'teardown', 'closed_by', 'anomalies', 'vantages', 'firewall', 'fw_bytes',
  'unacked_orig', 'unacked_resp', 'data_lost', 'related', 'split',
] as const;

