/**
 * `flows --format ecs`: each connection as an Elastic Common Schema document (one JSON object a
 * line), so Elasticsearch, OpenSearch and Filebeat take the records as they are. `ecsRecord` is
 * the mapping, a pure function of the flow record (records.ts) and of what the firewall log adds
 * (`EcsFirewall`: vendor, device, ACL, reason, NAT; `ecsFirewall` reads it from a dataset).
 *
 * Choices where ECS leaves room (README "flows" says the same):
 * - `@timestamp` is the connection's start (as Zeek's `ts`, the table's order); `event.end` its
 *   last packet (or the log's Teardown), also for a connection still open (ECS: "last observed").
 * - `source` is the originator (client), `destination` the responder. Where the log gives NAT,
 *   `*.ip`/`*.port` are the firewall's "real" address and port (the host's own, on its side of
 *   the NAT) and `*.nat.ip`/`*.nat.port` the mapped ones (as the other side sees it), as
 *   Filebeat's Cisco module places them, whichever side of the firewall the capture saw: the
 *   seen address is one of the two. `network.community_id` is of `source`/`destination` as written.
 * - `event.type` is ["connection", "denied"] for a connection the firewall denied by policy,
 *   ["connection"] for one not over (open, half-closed), else ["connection", "end"]. A late
 *   packet denied after the close (rst-denied) does not make the connection "denied".
 * - `event.outcome`: success when it ended with a FIN first (graceful; fin-then-rst, whose RST
 *   comes from a side that had sent its FIN; a late RST after the close is noise, see late-rst),
 *   failure when it was cut or never came about (abort, rejected, unanswered, timeout,
 *   firewall-reset, denied), unknown while not over (open, half-closed). The one anomaly that
 *   overrides it is after-timeout (the application sent into a connection the firewall had
 *   dropped: it saw a hang or a reset): failure.
 * - bytes are TCP payload bytes (rsttui's, as Zeek's orig_bytes count them); a connection known
 *   only from a log has no packets: its `network.bytes` is the firewall's count, when it gave one.
 * - rsttui's own verdicts are under `rsttui.*`; times there are ISO 8601 as well (a float epoch
 *   would be mapped as a 32-bit float by dynamic mapping and lose its seconds).
 */
import * as crypto from 'node:crypto';
import { parseIp } from '../decode/bytes.js';
import type { Dataset } from '../flows/dataset.js';
import type { FwEndpoint } from '../read/asa.js';
import { A_DMAP, A_DST, A_SMAP, A_SRC, S_ACL, S_DIF, S_HOST, S_SIF } from '../read/fw-chunk.js';
import { VENDORS, type Vendor } from '../read/syslog-envelope.js';
import { stripControls } from '../text.js';
import { flowRecord, type FlowRecord } from './records.js';

/** The ECS version whose field names and types the documents follow (every field used is in it). */
export const ECS_VERSION = '8.11.0';

/** What a firewall log tells of a connection beyond its flow record. */
export interface EcsFirewall {
  vendor: Vendor;
  /** the device (syslog host) whose event ended the connection, else its first event's */
  device?: string;
  /** an access list / rule name an event names */
  rule?: string;
  /** the firewall's teardown reason, as written */
  reason?: string;
  /** the originator and responder as the log names them: real address and port, NAT-mapped ones, interface */
  orig?: FwEndpoint;
  resp?: FwEndpoint;
}

export interface EcsNat {
  ip: string;
  port: number;
}

export interface EcsEndpoint {
  ip: string;
  port: number;
  packets?: number;
  bytes?: number;
  nat?: EcsNat;
}

/** One connection as an ECS document: nested objects; a field not known is left out or undefined (JSON.stringify leaves it out), never null. */
export interface EcsFlow {
  /** (left out, with event.start, .end and .duration, when the row has no time: a log line without one) */
  '@timestamp'?: string;
  ecs: { version: string };
  event: {
    kind: 'event';
    category: ['network'];
    type: string[];
    action: string;
    outcome: 'success' | 'failure' | 'unknown';
    start?: string;
    end?: string;
    /** nanoseconds */
    duration?: number;
    reason?: string;
  };
  source: EcsEndpoint;
  destination: EcsEndpoint;
  network: { transport: 'tcp'; iana_number: '6'; type?: 'ipv4' | 'ipv6'; bytes?: number; packets?: number; community_id?: string };
  observer?: {
    vendor?: string;
    product: string;
    type: 'firewall';
    name?: string;
    ingress?: { interface: { name: string } };
    egress?: { interface: { name: string } };
  };
  rule?: { name: string };
  related: { ip: string[] };
  rsttui: {
    id: number;
    conn_state: string | null;
    history: string | null;
    teardown: string;
    closed_by: string;
    anomalies: string[];
    vantages: string[];
    fw_bytes: number | null;
    unacked_orig: number | null;
    unacked_resp: number | null;
    data_lost: boolean | null;
    related: number[];
    split: string | null;
    firewall: { ts?: string; msgid: number; text: string; reason: string | null }[];
  };
}

/** observer.vendor / observer.product by rsttui's vendor name (pf: pfSense, OPNsense or OpenBSD, not told apart). */
const OBSERVERS: Record<Vendor, { vendor?: string; product: string }> = {
  ASA: { vendor: 'Cisco', product: 'ASA' },
  FTD: { vendor: 'Cisco', product: 'FTD' },
  PIX: { vendor: 'Cisco', product: 'PIX' },
  'PAN-OS': { vendor: 'Palo Alto Networks', product: 'PAN-OS' },
  FortiGate: { vendor: 'Fortinet', product: 'FortiGate' },
  SRX: { vendor: 'Juniper', product: 'SRX' },
  netfilter: { vendor: 'Linux', product: 'netfilter' },
  pf: { product: 'pf' },
};

const FAILED = new Set(['abort', 'rejected', 'unanswered', 'timeout', 'firewall-reset', 'denied']);
const NOT_OVER = new Set(['open', 'half-closed']);

/** event.outcome of a teardown class and anomalies (see the file's comment). */
export function ecsOutcome(teardown: string, anomalies: readonly string[]): 'success' | 'failure' | 'unknown' {
  if (FAILED.has(teardown) || anomalies.includes('after-timeout')) return 'failure';
  return NOT_OVER.has(teardown) ? 'unknown' : 'success';
}

/** event.type of a teardown class. */
export function ecsEventType(teardown: string): string[] {
  if (teardown === 'denied') return ['connection', 'denied'];
  return NOT_OVER.has(teardown) ? ['connection'] : ['connection', 'end'];
}

const D2 = Array.from({ length: 100 }, (_, k) => String(k).padStart(2, '0'));
const D3 = Array.from({ length: 1000 }, (_, k) => String(k).padStart(3, '0'));
// (the date of the last day written: consecutive rows mostly share it)
let lastDay = NaN;
let dayPrefix = '';

/** A time an ISO 8601 date can say (a log line without a time gives NaN; Date ends at ±8.64e12 s). */
const datable = (t: number): boolean => Number.isFinite(t) && Math.abs(t) < 8.64e12;

/** Epoch seconds (microsecond precision) as ISO 8601 UTC with six fraction digits: `2018-06-20T10:00:00.443687Z`. */
export function isoMicros(t: number): string {
  const us = Math.round(t * 1e6);
  const s = Math.floor(us / 1e6);
  const f = us - s * 1e6;
  const day = Math.floor(s / 86400);
  if (day !== lastDay) {
    lastDay = day;
    dayPrefix = new Date(day * 86400000).toISOString().slice(0, 11);
  }
  let sod = s - day * 86400;
  const h = Math.floor(sod / 3600);
  sod -= h * 3600;
  const m = Math.floor(sod / 60);
  const ms = Math.floor(f / 1000);
  return `${dayPrefix}${D2[h]}:${D2[m]}:${D2[sod - m * 60]}.${D3[ms]}${D3[f - ms * 1000]}Z`;
}

// (crypto.hash, one call without a Hash object, is 4x faster: Node 20.12 and later)
const sha1Base64: (b: Uint8Array) => string = typeof (crypto as { hash?: unknown }).hash === 'function'
  ? (b) => crypto.hash('sha1', b, 'base64')
  : (b) => crypto.createHash('sha1').update(b).digest('base64');
// (seed, two addresses, protocol and padding, two ports)
const scratch = { 4: Buffer.alloc(2 + 8 + 2 + 4), 16: Buffer.alloc(2 + 32 + 2 + 4) } as const;

const quads = [new Uint8Array(4), new Uint8Array(4)];

/** An address's bytes: a dotted quad read here (into a scratch array, `which` of two), anything else by parseIp. */
function ipBytes(s: string, which: 0 | 1): Uint8Array | null {
  const q = quads[which]!;
  let k = 0, v = 0, digits = 0;
  for (let j = 0; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c >= 48 && c <= 57 && digits < 3) {
      v = v * 10 + c - 48;
      digits++;
    } else if (c === 46 && digits > 0 && k < 3 && v < 256) {
      q[k++] = v;
      v = digits = 0;
    } else return parseIp(s);
  }
  if (k !== 3 || digits === 0 || v > 255) return parseIp(s);
  q[3] = v;
  return q;
}

/**
 * Community ID v1 (github.com/corelight/community-id-spec) of a TCP/UDP/SCTP flow: base64 of the
 * SHA-1 of seed (2 bytes), the two addresses, protocol, a zero byte and the two ports, all in
 * network order, the smaller address:port first. Undefined for addresses that are not IPs of
 * one family.
 */
export function communityId(saddr: string, daddr: string, sport: number, dport: number, proto = 6, seed = 0): string | undefined {
  const a = ipBytes(saddr, 0), b = ipBytes(daddr, 1);
  if (!a || !b || a.length !== b.length) return undefined;
  let cmp = 0;
  for (let k = 0; k < a.length && cmp === 0; k++) cmp = a[k]! - b[k]!;
  const flip = cmp > 0 || (cmp === 0 && sport > dport);
  const [x, y, xp, yp] = flip ? [b, a, dport, sport] : [a, b, sport, dport];
  const n = a.length as 4 | 16;
  const buf = scratch[n];
  buf.writeUInt16BE(seed & 0xffff, 0);
  buf.set(x, 2);
  buf.set(y, 2 + n);
  buf[2 + 2 * n] = proto;
  buf[3 + 2 * n] = 0;
  buf.writeUInt16BE(xp, 4 + 2 * n);
  buf.writeUInt16BE(yp, 6 + 2 * n);
  return `1:${sha1Base64(buf)}`;
}

/** An end as ECS writes it: the log's real address and port where it names this end, its NAT-mapped form when different. */
function endpoint(seenIp: string, seenPort: number, fw: FwEndpoint | undefined): EcsEndpoint {
  if (!fw || fw.port === undefined || Number.isNaN(fw.port)) return { ip: seenIp, port: seenPort };
  const out: EcsEndpoint = { ip: fw.addr, port: fw.port };
  if (fw.mappedAddr !== undefined) {
    const port = fw.mappedPort ?? fw.port;
    if (fw.mappedAddr !== fw.addr || port !== fw.port) out.nat = { ip: fw.mappedAddr, port };
  }
  return out;
}

/** The ECS document of a flow record, with what a firewall log adds (none: a capture alone). */
export function ecsRecord(r: FlowRecord, fw?: EcsFirewall): EcsFlow {
  const source = endpoint(r.orig_h, r.orig_p, fw?.orig);
  const destination = endpoint(r.resp_h, r.resp_p, fw?.resp);
  const captured = r.conn_state !== null;
  const network: EcsFlow['network'] = { transport: 'tcp', iana_number: '6' };
  const family = source.ip.includes(':') ? 'ipv6' : 'ipv4';
  if (destination.ip.includes(':') === (family === 'ipv6')) network.type = family;
  if (captured) {
    source.packets = r.orig_pkts;
    source.bytes = r.orig_bytes;
    destination.packets = r.resp_pkts;
    destination.bytes = r.resp_bytes;
    network.bytes = r.orig_bytes + r.resp_bytes;
    network.packets = r.orig_pkts + r.resp_pkts;
  } else if (r.fw_bytes !== null) network.bytes = r.fw_bytes;
  const cid = communityId(source.ip, destination.ip, source.port, destination.port);
  if (cid !== undefined) network.community_id = cid;
  const start = datable(r.ts) ? isoMicros(r.ts) : undefined;
  const event: EcsFlow['event'] = {
    kind: 'event', category: ['network'], type: ecsEventType(r.teardown), action: r.teardown, outcome: ecsOutcome(r.teardown, r.anomalies),
    start, end: start !== undefined && datable(r.ts + r.duration) ? isoMicros(r.ts + r.duration) : undefined,
    duration: start !== undefined && Number.isFinite(r.duration) ? Math.round(r.duration * 1e6) * 1000 : undefined,
  };
  if (fw?.reason !== undefined) event.reason = fw.reason;
  const related: string[] = [];
  for (const x of [source.ip, destination.ip, source.nat?.ip, destination.nat?.ip]) if (x !== undefined && !related.includes(x)) related.push(x);
  const rsttui: EcsFlow['rsttui'] = {
    id: r.id, conn_state: r.conn_state, history: r.history, teardown: r.teardown, closed_by: r.closed_by, anomalies: r.anomalies,
    vantages: r.vantages, fw_bytes: r.fw_bytes, unacked_orig: r.unacked_orig, unacked_resp: r.unacked_resp, data_lost: r.data_lost,
    related: r.related, split: r.split,
    firewall: r.firewall.map((e) => ({ ts: datable(e.ts) ? isoMicros(e.ts) : undefined, msgid: e.msgid, text: e.text, reason: e.reason })),
  };
  if (!fw) return { '@timestamp': start, ecs: { version: ECS_VERSION }, event, source, destination, network, related: { ip: related }, rsttui };
  // (observer and rule before rsttui's own fields; literals, not spreads: a spread object costs ~5 µs a row here)
  const o = OBSERVERS[fw.vendor];
  const observer: NonNullable<EcsFlow['observer']> = { vendor: o.vendor, product: o.product, type: 'firewall', name: fw.device };
  if (fw.orig?.iface !== undefined) observer.ingress = { interface: { name: fw.orig.iface } };
  if (fw.resp?.iface !== undefined) observer.egress = { interface: { name: fw.resp.iface } };
  const doc: EcsFlow = {
    '@timestamp': start, ecs: { version: ECS_VERSION }, event, source, destination, network, related: { ip: related }, observer,
    rule: fw.rule !== undefined ? { name: fw.rule } : undefined, rsttui,
  };
  return doc;
}

/**
 * What the log adds to connection i of a dataset (undefined: no event): vendor and device of the
 * event that ended it (the first with a teardown reason), else of its first event; the first ACL
 * named; and each end as the first event naming it (by real or mapped address and port) gives it,
 * one with a NAT-mapped form preferred.
 */
export function ecsFirewall(ds: Dataset, i: number): EcsFirewall | undefined {
  const evs = ds.fwEvents(i);
  if (evs.length === 0) return undefined;
  const fw = ds.fw, c = ds.conns;
  let main = evs[0]!;
  for (const e of evs) {
    if (fw.reason(e) !== undefined) {
      main = e;
      break;
    }
  }
  const out: EcsFirewall = { vendor: VENDORS[fw.chunk(main).vendor[main & 0xffff]!] ?? 'ASA' };
  const host = fw.str(main, S_HOST);
  if (host !== undefined) out.device = stripControls(host);
  const reason = fw.reason(main);
  if (reason !== undefined) out.reason = stripControls(reason);
  const ends: [number, number][] = [[c.origAddr[i]!, c.origPort[i]!], [c.respAddr[i]!, c.respPort[i]!]];
  const found: (FwEndpoint | undefined)[] = [undefined, undefined];
  for (const e of evs) {
    if (out.rule === undefined) {
      const acl = fw.str(e, S_ACL);
      if (acl !== undefined) out.rule = stripControls(acl);
    }
    for (const [slot, map, ifSlot] of [[A_SRC, A_SMAP, S_SIF], [A_DST, A_DMAP, S_DIF]] as const) {
      const a = fw.addr(e, slot), p = fw.port(e, slot);
      if (a < 0 || p < 0) continue;
      const ma = fw.addr(e, map), mp = fw.port(e, map) >= 0 ? fw.port(e, map) : p;
      for (let k = 0; k < 2; k++) {
        const [addr, port] = ends[k]!;
        const have = found[k];
        if (!((a === addr && p === port) || (ma === addr && mp === port))) continue;
        if (have && (have.mappedAddr !== undefined || ma < 0)) continue;
        const ep: FwEndpoint = { addr: ds.addrs.text(a), port: p };
        if (ma >= 0) {
          ep.mappedAddr = ds.addrs.text(ma);
          ep.mappedPort = mp;
        }
        const iface = fw.str(e, ifSlot) ?? have?.iface;
        if (iface !== undefined) ep.iface = stripControls(iface);
        found[k] = ep;
      }
    }
  }
  if (found[0]) out.orig = found[0];
  if (found[1]) out.resp = found[1];
  return out;
}

/** Connection i of a dataset as an ECS document. */
export function ecsFlow(ds: Dataset, i: number): EcsFlow {
  return ecsRecord(flowRecord(ds, i), ecsFirewall(ds, i));
}
