/**
 * The records `flows` and `packets` print and the exports write. Field names are a contract
 * (issue 2): keep them stable; later issues only add fields.
 */
import { CLOSED_BY, CONN_STATES, TEARDOWNS, anomalyNames, flagLetters } from '../model.js';
import type { Dataset } from '../flows/dataset.js';
import { stripControls } from '../text.js';

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
  conn_state: string;
  history: string;
  teardown: string;
  closed_by: string;
  anomalies: string[];
  vantages: string[];
  firewall: { ts: number; msgid: number; text: string; reason: string | null }[];
}

/** Index of the capture file (vantage) that packet-table row `row` came from: files hold contiguous row ranges. */
export function fileOfRow(ds: Dataset, row: number): number {
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

export function flowRecord(ds: Dataset, i: number): FlowRecord {
  const c = ds.conns;
  return {
    id: i + 1,
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
    conn_state: CONN_STATES[c.connState[i]!] ?? 'OTH',
    history: c.histories[i] ?? '',
    teardown: TEARDOWNS[c.teardown[i]!] ?? 'open',
    closed_by: CLOSED_BY[c.closedBy[i]!] ?? 'none',
    anomalies: anomalyNames(c.anomalies[i]!),
    vantages: vantageNames(ds, ds.vantageMask(i)),
    firewall: ds.firewallOf(i).map((e) => ({ ts: e.ts, msgid: e.msgid, text: stripControls(e.text), reason: e.reason ?? null })),
  };
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
    flow: c + 1,
  };
}

export const FLOW_FIELDS = [
  'id', 'orig_h', 'orig_p', 'resp_h', 'resp_p', 'ts', 'duration', 'orig_pkts', 'resp_pkts', 'orig_bytes', 'resp_bytes',
  'conn_state', 'history', 'teardown', 'closed_by', 'anomalies', 'vantages', 'firewall',
] as const;



const js = JSON.stringify;

const ZEROS = ['', '0', '00', '000', '0000', '00000'];

/**
 * `String(x)` for the microsecond-rounded times flowRecord makes, without the general
 * double-to-shortest-decimal conversion (its cost shows at 10^6 lines). Exact: when x is u / 1e6
 * for an integer u and |x| < 2^31, the 6-digit decimal of u (trailing zeros dropped) is the
 * shortest string that reads back as x (doubles there are closer than 5e-7 apart, fraction
 * digits 1e-6), so it is what String(x) prints. Anything else goes to String(x).
 */
export function usText(x: number): string {
  if (!(x < 2147483648 && x > -2147483648)) return String(x);
  const u = Math.round(x * 1e6);
  if (u / 1e6 !== x || u === 0) return String(x);
  const a = u < 0 ? -u : u;
  const ip = Math.floor(a / 1e6);
  let f = a - ip * 1e6;
  const head = u < 0 ? '-' + ip : '' + ip;
  if (f === 0) return head;
  let w = 6;
  while (f % 10 === 0) {
    f /= 10;
    w--;
  }
  const fs = '' + f;
  return head + '.' + ZEROS[w - fs.length]! + fs;
}

// the vantages field of the last line: most lines of a run repeat it
let lastVantages: readonly string[] = [];
let lastVantagesJson = '[]';

function vantagesJson(v: readonly string[]): string {
  if (v.length !== lastVantages.length || v.some((x, k) => x !== lastVantages[k])) {
    lastVantages = v.slice();
    lastVantagesJson = js(v);
  }
  return lastVantagesJson;
}

/**
 * The NDJSON line of a flow record, built by hand: JSON.stringify of the whole object costs ~3x
 * more and `flows --format ndjson` prints one per connection. Strings that can hold arbitrary text
 * (vantage names) still go through JSON.stringify; the field order is the same.
 */
export function flowJson(r: FlowRecord): string {
  return `{"id":${r.id},"orig_h":"${r.orig_h}","orig_p":${r.orig_p},"resp_h":"${r.resp_h}","resp_p":${r.resp_p},"ts":${usText(r.ts)},"duration":${usText(r.duration)},"orig_pkts":${r.orig_pkts},"resp_pkts":${r.resp_pkts},"orig_bytes":${r.orig_bytes},"resp_bytes":${r.resp_bytes},"conn_state":"${r.conn_state}","history":${js(r.history)},"teardown":"${r.teardown}","closed_by":"${r.closed_by}","anomalies":${r.anomalies.length ? js(r.anomalies) : '[]'},"vantages":${vantagesJson(r.vantages)},"firewall":${r.firewall.length ? js(r.firewall) : '[]'}}`;
}

/**
 * flowJson(flowRecord(ds, i)) without building the record: `flows --format ndjson` prints one line
 * per connection, and the record's objects and arrays were most of the garbage of a 10 M-packet
 * run. The texts of anomaly masks, vantage masks and histories repeat, so they are made once each.
 */
export function flowJsonAt(ds: Dataset, i: number, cache: FlowJsonCache = newFlowJsonCache()): string {
  const c = ds.conns;
  const am = c.anomalies[i]!;
  let an = cache.anomalies.get(am);
  if (an === undefined) cache.anomalies.set(am, (an = am ? js(anomalyNames(am)) : '[]'));
  const vm = ds.vantageMask(i);
  let va = cache.vantages.get(vm);
  if (va === undefined) cache.vantages.set(vm, (va = js(vantageNames(ds, vm))));
  const h = c.histories[i] ?? '';
  let hj = cache.histories.get(h);
  if (hj === undefined) cache.histories.set(h, (hj = js(h)));
  const fw = ds.firewallOf(i);
  const fwj = fw.length ? js(fw.map((e) => ({ ts: e.ts, msgid: e.msgid, text: stripControls(e.text), reason: e.reason ?? null }))) : '[]';
  return `{"id":${i + 1},"orig_h":"${ds.addrs.text(c.origAddr[i]!)}","orig_p":${c.origPort[i]},"resp_h":"${ds.addrs.text(c.respAddr[i]!)}","resp_p":${c.respPort[i]},"ts":${usText(roundUs(c.firstTs[i]!))},"duration":${usText(roundUs(c.lastTs[i]! - c.firstTs[i]!))},"orig_pkts":${c.origPkts[i]},"resp_pkts":${c.respPkts[i]},"orig_bytes":${c.origBytes[i]},"resp_bytes":${c.respBytes[i]},"conn_state":"${CONN_STATES[c.connState[i]!] ?? 'OTH'}","history":${hj},"teardown":"${TEARDOWNS[c.teardown[i]!] ?? 'open'}","closed_by":"${CLOSED_BY[c.closedBy[i]!] ?? 'none'}","anomalies":${an},"vantages":${va},"firewall":${fwj}}`;
}

export interface FlowJsonCache {
  anomalies: Map<number, string>;
  vantages: Map<number, string>;
  histories: Map<string, string>;
}
export const newFlowJsonCache = (): FlowJsonCache => ({ anomalies: new Map(), vantages: new Map(), histories: new Map() });
