/**
 * `flows --format ndjson`: the NDJSON line of each connection, encoded straight into the output
 * buffer as bytes. It is exactly `JSON.stringify(flowRecord(ds, i))` (a test holds it to that on
 * every fixture), without the record, its arrays, the line as a string, nor the string's UTF-8
 * encoding: on the 10 M-packet benchmark those took ~1.6 µs a line, most of the output phase.
 * Texts that repeat (states, classes, anomaly and vantage sets, histories) are encoded once each.
 */
import { CLOSED_BY, CONN_STATES, NO_CONN_STATE, TEARDOWNS, anomalyNames } from '../model.js';
import type { Dataset } from '../flows/dataset.js';
import { countOf, dataLostOf, firewallJson, fwBytesOf, relatedOf, roundUs, splitOf, vantageNames } from './records.js';
import { FirewallBytes } from './fw-bytes.js';

/**
 * What the lines are made of, by connection: a dataset's (datasetFlows), or the same columns in
 * shared memory, which the analysis worker reads to write lines during the verdict pass
 * (flow-share.ts).
 */
export interface FlowSource {
  readonly origAddr: Uint32Array;
  readonly respAddr: Uint32Array;
  readonly origPort: Uint16Array;
  readonly respPort: Uint16Array;
  readonly firstTs: Float64Array;
  readonly lastTs: Float64Array;
  readonly origPkts: Uint32Array;
  readonly respPkts: Uint32Array;
  readonly origBytes: Float64Array;
  readonly respBytes: Float64Array;
  readonly connState: Uint8Array;
  readonly teardown: Uint8Array;
  readonly closedBy: Uint8Array;
  readonly anomalies: Uint32Array;
  readonly vantageMask: Uint32Array;
  /** impact (NaN, 2: unknown) */
  readonly unackedOrig: Float64Array;
  readonly unackedResp: Float64Array;
  readonly dataLost: Uint8Array;
  /** split links (index + 1, 0: none) and SPLIT_* (ConnTable) */
  readonly splitFrom: Uint32Array;
  readonly splitTo: Uint32Array;
  readonly splitWhy: Uint8Array;
  history(i: number): string;
  /** the IPv4 address of an address id as an unsigned number; -1 for any other */
  v4Value(id: number): number;
  text(id: number): string;
  vantageNames(mask: number): string[];
  /** connection i's firewall records as JSON, '[]' for none */
  firewallJson(i: number): string;
  /** bytes the firewall counted (NaN: none); absent where no log was read */
  readonly fwBytes?: Float64Array;
  /** connection i's firewall records as bytes (a dataset with logs): used instead of firewallJson */
  readonly firewallBytes?: FirewallBytes;
  /**
   * No packets at all (logs alone): the packet columns (counts, bytes, split links) are zero in
   * every row and are not read. They were never written: on this machine reading a never-written
   * page makes it resident, and these columns' pages alone rose the RSS by ~25 bytes a line during
   * the output of a 10 M-line log (~86 MB).
   */
  readonly noPackets?: boolean;
}

/** A dataset as the lines' source (`firewall` false: without the firewall arrays' bytes, for the table). */
export function datasetFlows(ds: Dataset, firewall = true): FlowSource {
  const c = ds.conns;
  return {
    origAddr: c.origAddr, respAddr: c.respAddr, origPort: c.origPort, respPort: c.respPort, firstTs: c.firstTs, lastTs: c.lastTs,
    origPkts: c.origPkts, respPkts: c.respPkts, origBytes: c.origBytes, respBytes: c.respBytes, connState: c.connState,
    teardown: c.teardown, closedBy: c.closedBy, anomalies: c.anomalies, vantageMask: c.vantageMask,
    unackedOrig: c.unackedOrig, unackedResp: c.unackedResp, dataLost: c.dataLost,
    splitFrom: c.splitFrom, splitTo: c.splitTo, splitWhy: c.splitWhy,
    history: (i) => c.histories[i] ?? '',
    v4Value: (id) => ds.addrs.v4Value(id),
    text: (id) => ds.addrs.text(id),
    vantageNames: (mask) => vantageNames(ds, mask),
    firewallJson: (i) => firewallJson(ds, i),
    fwBytes: c.fwBytes,
    noPackets: ds.packets.count === 0,
    ...(ds.fw.count && firewall ? { firewallBytes: new FirewallBytes(ds) } : {}),
  };
}

/** Where lines go: room for n bytes at the returned position of `buffer`, then `commit(end)`. */
export interface ByteLines {
  reserve(n: number): number;
  readonly buffer: Uint8Array;
  commit(end: number): void;
}

/**
 * What writes connection i's line (and its newline) to `out`: FlowLineEncoder's NDJSON, its CSV
 * rows (csv-bytes.ts), the table's rows (flow-table-bytes.ts); `prepare(from, to)` first reads
 * ahead what connections [from, to) need (their events' texts).
 */
export interface LineEncoder {
  prepare(from: number, to: number): void;
  write(out: ByteLines, i: number): void;
}

/** Lines into one buffer that grows as they come (`into`: a buffer to use first; `end` how far it is filled). */
export class GrowingLines implements ByteLines {
  buffer: Uint8Array;
  end = 0;
  constructor(size: number, into?: Uint8Array) {
    this.buffer = into && into.length ? into : new Uint8Array(size);
  }
  reserve(n: number): number {
    if (this.end + n > this.buffer.length) {
      const b = new Uint8Array(Math.max(this.end + n, this.buffer.length * 2));
      b.set(this.buffer.subarray(0, this.end));
      this.buffer = b;
    }
    return this.end;
  }
  commit(end: number): void {
    this.end = end;
  }
}

const utf8 = new TextEncoder();
const bytes = (s: string): Uint8Array => utf8.encode(s);
const js = JSON.stringify;

function put(b: Uint8Array, p: number, a: Uint8Array): number {
  for (let k = 0; k < a.length; k++) b[p + k] = a[k]!;
  return p + a.length;
}

/** ASCII text (numbers, addresses); anything else goes through the UTF-8 encoder. */
export function putText(b: Uint8Array, p: number, s: string): number {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c > 0x7e) return p + utf8.encodeInto(s, b.subarray(p)).written;
    b[p + k] = c;
  }
  return p + s.length;
}

/** How many decimal digits an integer 0 <= x < 2^53 has. */
export function uintDigits(x: number): number {
  let n = 1;
  for (let t = 10; t <= x; t *= 10) n++;
  return n;
}

/** Decimal digits of an integer 0 <= x < 2^53. */
export function putUint(b: Uint8Array, p: number, x: number): number {
  const n = uintDigits(x);
  let q = p + n;
  while (x >= 4294967296) {
    const y = Math.floor(x / 10);
    b[--q] = 48 + (x - y * 10);
    x = y;
  }
  let v = x >>> 0;
  do {
    const y = (v / 10) >>> 0;
    b[--q] = 48 + (v - y * 10);
    v = y;
  } while (v !== 0);
  return p + n;
}

/** A number as JSON writes it. */
export function putNumber(b: Uint8Array, p: number, x: number): number {
  return x >= 0 && x <= Number.MAX_SAFE_INTEGER && Math.floor(x) === x ? putUint(b, p, x) : putText(b, p, js(x));
}

/** A count or null. */
function putCount(b: Uint8Array, p: number, x: number | null): number {
  return x === null ? put(b, p, NULL) : putNumber(b, p, x);
}

/**
 * A time rounded to microseconds, as JSON writes it, without the general shortest-decimal
 * conversion. Exact: when x = u / 1e6 for an integer u and 0 < x < 2^31, the 6-digit decimal of u
 * (trailing zeros dropped) is the shortest string that reads back as x (doubles there are closer
 * than 5e-7 apart, fraction digits 1e-6), so it is what JSON prints. Anything else goes to JSON.
 */
export function putUs(b: Uint8Array, p: number, x: number): number {
  if (x === 0) {
    b[p] = 48;
    return p + 1;
  }
  const u = Math.round(x * 1e6);
  if (!(x > 0 && x < 2147483648) || u / 1e6 !== x) return putText(b, p, js(x));
  const ip = Math.floor(u / 1e6);
  let f = u - ip * 1e6;
  p = putUint(b, p, ip);
  if (f === 0) return p;
  b[p++] = 46; // .
  let w = 6;
  while (f % 10 === 0) {
    f /= 10;
    w--;
  }
  for (let q = p + w - 1; q >= p; q--) {
    const y = Math.floor(f / 10);
    b[q] = 48 + (f - y * 10);
    f = y;
  }
  return p + w;
}

// the line, with the texts between its values
const OPEN = bytes('{"id":');
const FW_BYTES = bytes(',"fw_bytes":');
const NULL = bytes('null');
const UNACKED_ORIG = bytes(',"unacked_orig":');
const UNACKED_RESP = bytes(',"unacked_resp":');
const DATA_LOST = [bytes(',"data_lost":false'), bytes(',"data_lost":true'), bytes(',"data_lost":null')] as const;
const RELATED = bytes(',"related":[');
const SPLIT = bytes('],"split":');
const ORIG_H = bytes(',"orig_h":"');
const ORIG_P = bytes('","orig_p":');
const RESP_H = bytes(',"resp_h":"');
const RESP_P = bytes('","resp_p":');
const TS = bytes(',"ts":');
const DURATION = bytes(',"duration":');
const ORIG_PKTS = bytes(',"orig_pkts":');
const RESP_PKTS = bytes(',"resp_pkts":');
const ORIG_BYTES = bytes(',"orig_bytes":');
const RESP_BYTES = bytes(',"resp_bytes":');
/** the four counts of a row without packets */
const NO_PACKETS = bytes(',"orig_pkts":0,"resp_pkts":0,"orig_bytes":0,"resp_bytes":0');
/** the end of a row without packets, after fw_bytes: no impact known (the pass never saw it), no split */
const NO_PACKETS_END = bytes(',"unacked_orig":null,"unacked_resp":null,"data_lost":null,"related":[],"split":null}\n');
const NO_RELATED: readonly number[] = [];
/** the longest a line's head takes: 11 names and their punctuation, two IPv6 hosts, nine numbers */
const HEAD_MAX = 400;

export class FlowLineEncoder {
  /**
   * A line's tail, from conn_state to the end (a third of the line), is one of few: encoded once
   * each, by vantage mask, history, then state, class, closing side and anomalies in one number.
   */
  private readonly tails = new Map<number, Map<string, Map<number, Uint8Array>>>();

  private readonly c: FlowSource;

  constructor(from: Dataset | FlowSource) {
    this.c = 'conns' in from ? datasetFlows(from) : from;
  }

  /** Connections [from, to) are written next, in order (their firewall texts are read ahead). */
  prepare(from: number, to: number): void {
    this.c.firewallBytes?.prepare(from, to);
  }

  /** Write connection i's line (and its newline) to `out`. */
  write(out: ByteLines, i: number): void {
    const c = this.c;
    const tail = this.tail(i);
    // the firewall array: bytes from the event columns where the source has them, else JSON text;
    // written straight into the line when its texts were read ahead (prepare), else copied
    const fw = c.firewallBytes;
    const fwMax = fw ? fw.bound(i) : -1;
    const fwLen = fw && fwMax < 0 ? fw.encode(i) : 0;
    const fwText = fw ? '' : c.firewallJson(i);
    const fb = fwBytesOf(c.fwBytes, i);
    let p = out.reserve(HEAD_MAX + tail.length + Math.max(fwMax, fwLen) + 3 * fwText.length + 220);
    const b = out.buffer;
    p = put(b, p, OPEN);
    p = putUint(b, p, i + 1);
    p = put(b, p, ORIG_H);
    p = this.putHost(b, p, c.origAddr[i]!);
    p = put(b, p, ORIG_P);
    p = putUint(b, p, c.origPort[i]!);
    p = put(b, p, RESP_H);
    p = this.putHost(b, p, c.respAddr[i]!);
    p = put(b, p, RESP_P);
    p = putUint(b, p, c.respPort[i]!);
    p = put(b, p, TS);
    p = putUs(b, p, roundUs(c.firstTs[i]!));
    p = put(b, p, DURATION);
    p = putUs(b, p, roundUs(c.lastTs[i]! - c.firstTs[i]!));
    if (c.noPackets) {
      b.set(NO_PACKETS, p);
      p += NO_PACKETS.length;
    } else {
      p = put(b, p, ORIG_PKTS);
      p = putUint(b, p, c.origPkts[i]!);
      p = put(b, p, RESP_PKTS);
      p = putUint(b, p, c.respPkts[i]!);
      p = put(b, p, ORIG_BYTES);
      p = putNumber(b, p, c.origBytes[i]!);
      p = put(b, p, RESP_BYTES);
      p = putNumber(b, p, c.respBytes[i]!);
    }
    b.set(tail, p);
    p += tail.length;
    if (fw && fwMax >= 0) p = fw.encodeInto(b, p, i);
    else if (fw) {
      b.set(fw.bytes.subarray(0, fwLen), p);
      p += fwLen;
    } else p = putText(b, p, fwText);
    p = put(b, p, FW_BYTES);
    if (fb === null) p = put(b, p, NULL);
    else p = putNumber(b, p, fb);
    if (c.noPackets) {
      b.set(NO_PACKETS_END, p);
      out.commit(p + NO_PACKETS_END.length);
      return;
    }
    p = put(b, p, UNACKED_ORIG);
    p = putCount(b, p, countOf(c.unackedOrig, i));
    p = put(b, p, UNACKED_RESP);
    p = putCount(b, p, countOf(c.unackedResp, i));
    const lost = dataLostOf(c.dataLost, i);
    p = put(b, p, DATA_LOST[lost === null ? 2 : lost ? 1 : 0]);
    p = put(b, p, RELATED);
    const rel = c.noPackets ? NO_RELATED : relatedOf(c.splitFrom, c.splitTo, i);
    for (let k = 0; k < rel.length; k++) {
      if (k) b[p++] = 44; // ,
      p = putUint(b, p, rel[k]!);
    }
    p = put(b, p, SPLIT);
    const split = c.noPackets ? null : splitOf(c.splitWhy, i);
    p = split === null ? put(b, p, NULL) : putText(b, p, js(split));
    b[p++] = 125; // }
    b[p++] = 10;
    out.commit(p);
  }

  /**
   * The line's middle, from conn_state to `"firewall":` (a third of the line): one of few,
   * encoded once each, by vantage mask, history, then state, class, closing side and anomalies in
   * one number.
   */
  private tail(i: number): Uint8Array {
    const c = this.c;
    const vm = c.vantageMask[i]!, h = c.history(i), am = c.anomalies[i]!;
    const key = (c.connState[i]! | (c.teardown[i]! << 8) | (c.closedBy[i]! << 16)) + am * 0x1000000;
    // (anomaly bits past 2^29 make the key inexact: such a tail is not kept)
    const cacheable = am < 2 ** 29;
    let byHistory = this.tails.get(vm);
    if (byHistory === undefined) this.tails.set(vm, (byHistory = new Map()));
    let byKey = byHistory.get(h);
    if (byKey === undefined) byHistory.set(h, (byKey = new Map()));
    let t = cacheable ? byKey.get(key) : undefined;
    if (t === undefined) {
      const none = c.connState[i] === NO_CONN_STATE;
      const state = none ? 'null' : `"${CONN_STATES[c.connState[i]!] ?? 'OTH'}"`;
      t = bytes(`,"conn_state":${state},"history":${none ? 'null' : js(h)},"teardown":"${TEARDOWNS[c.teardown[i]!] ?? 'open'}",` +
        `"closed_by":"${CLOSED_BY[c.closedBy[i]!] ?? 'none'}","anomalies":${js(anomalyNames(am))},"vantages":${js(c.vantageNames(vm))},"firewall":`);
      if (cacheable) byKey.set(key, t);
    }
    return t;
  }

  private putHost(b: Uint8Array, p: number, id: number): number {
    return putHost(this.c, b, p, id);
  }
}

/** Address `id`'s text (an IPv4 address from its value: a shared source keeps no text for those). */
export function hostText(c: Pick<FlowSource, 'v4Value' | 'text'>, id: number): string {
  const v4 = c.v4Value(id);
  return v4 < 0 ? c.text(id) : `${v4 >>> 24}.${(v4 >>> 16) & 0xff}.${(v4 >>> 8) & 0xff}.${v4 & 0xff}`;
}

/** Address `id`'s text as bytes (an IPv4 address written from its value). */
export function putHost(c: Pick<FlowSource, 'v4Value' | 'text'>, b: Uint8Array, p: number, id: number): number {
  const v4 = c.v4Value(id);
  if (v4 < 0) return putText(b, p, c.text(id));
  p = putUint(b, p, v4 >>> 24);
  b[p++] = 46;
  p = putUint(b, p, (v4 >>> 16) & 0xff);
  b[p++] = 46;
  p = putUint(b, p, (v4 >>> 8) & 0xff);
  b[p++] = 46;
  return putUint(b, p, v4 & 0xff);
}
