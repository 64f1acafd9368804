/**
 * Juniper SRX session logs (RT_FLOW) -> firewall events, in both forms Junos writes:
 *
 *   structured-data (`set system syslog ... structured-data`, RFC 5424; any enterprise number):
 *     <14>1 2019-04-12T14:29:06.576Z srx1 RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.26
 *       reason="TCP FIN" source-address="10.3.255.203" source-port="47776" ... session-id-32="5"
 *       packets-from-client="6" bytes-from-client="337" ... elapsed-time="1" ...]
 *   plain (the default):
 *     <14>Jun 17 16:49:31 srx1 RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed TCP FIN:
 *       SRC/P->DST/P 0x0 SERVICE NSRC/P->NDST/P 0x0 SNAT-TYPE SNAT-RULE DNAT-TYPE DNAT-RULE
 *       PROTO POLICY FROM-ZONE TO-ZONE SESSION-ID PKTS(BYTES) PKTS(BYTES) ELAPSED APP ... USER(ROLES) IFACE ...
 *
 * (field order of Juniper's "Information Provided in Session Log Entries for SRX Series"; the
 * connection tags `0x..` and the NAT rule types, which may be two words (`source rule`), came with
 * 12.1X44 and are optional here, so 10.x-12.1 lines read too). RT_FLOW_SESSION_CREATE -> 'built',
 * _CLOSE -> 'teardown' (reason as written), _DENY -> 'deny' (also the logical-system `_LS`
 * variants); other RT_FLOW_SESSION_* and the AppTrack APPTRACK_SESSION_* messages -> 'other'.
 *
 * The session's client is `src` (`initiator: 'src'`), its zone `src.iface`, the server's zone
 * `dst.iface`; NAT: a `nat-*` address or port that differs from the original is that side's
 * mapped one (source NAT: the client's public address; destination NAT: the server's real one).
 * `session-id-32` is the connId joining CREATE and CLOSE; `packet-incoming-interface` is `iface`,
 * `policy-name` is `acl`. The SRX has no numeric message id (msgid 0); the severity is the PRI's.
 *
 * Not logged by the SRX: a packet dropped because no session matches (the ASA's 106015): with the
 * default TCP SYN check a late RST or FIN after the session is gone is dropped silently.
 */
import { isIPv6 } from 'node:net';
import type { AsaFields, FwEndpoint, FwKind } from './asa.js';
import { stripControl } from './syslog-envelope.js';
import { SRX_REASONS } from './srx-reasons.js';
import type { VendorLine, VendorReader } from './vendors.js';

const SESSION = 'RT_FLOW_SESSION_';
const APPTRACK = 'APPTRACK_SESSION_';

const PROTO_NAMES: Readonly<Record<string, string>> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'icmp6', 132: 'sctp' };
const protoName = (p: string): string => PROTO_NAMES[p] ?? p.toLowerCase();

class Bad extends Error {}
const bad = (m: string): never => {
  throw new Bad(m);
};

// --------------------------------------------------------------------------- small scanners

/** Non-negative integer of s[i, e), -1 if it is not one. */
function uintOf(s: string, i: number, e: number): number {
  if (e <= i || e - i > 15) return -1;
  let v = 0;
  for (let k = i; k < e; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** The IP address s[i, e) (IPv6 lower-cased), or undefined. */
function addrOf(s: string, i: number, e: number): string | undefined {
  let dots = 0, digits = 0, v = 0, v4 = true;
  for (let k = i; k < e; k++) {
    const c = s.charCodeAt(k);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && v === 0) v4 = false; // a leading zero
      v = v * 10 + c - 48;
      digits++;
    } else if (c === 46 && digits > 0 && v <= 255) {
      dots++;
      digits = v = 0;
    } else {
      const a = s.slice(i, e);
      return c === 58 || c === 46 || (c | 32) >= 97 ? (isIPv6(a) ? a.toLowerCase() : undefined) : undefined;
    }
  }
  return v4 && dots === 3 && digits > 0 && v <= 255 ? s.slice(i, e) : undefined;
}

const CONTROL = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/; // eslint-disable-line no-control-regex
const clean = (s: string): string => (CONTROL.test(s) ? stripControl(s) : s);

/** An endpoint from its address and port texts; `what` names it in an error. */
function endpoint(addr: string | undefined, port: string | undefined, what: string): FwEndpoint {
  if (addr === undefined) return bad(`no ${what} address`);
  const a = addrOf(addr, 0, addr.length) ?? bad(`${what} address "${clean(addr)}" is not an IP address`);
  const ep: FwEndpoint = { addr: a };
  if (port !== undefined) {
    const p = uintOf(port, 0, port.length);
    if (p < 0 || p > 65535) bad(`${what} port "${clean(port)}" is not a port`);
    ep.port = p;
  }
  return ep;
}

/** The `nat-*` address / port of an endpoint: its mapped ones when they differ from the original. */
function mapped(ep: FwEndpoint, addr: string | undefined, port: string | undefined, what: string): void {
  if (addr === undefined) return;
  const m = endpoint(addr, port, what);
  if (m.addr !== ep.addr || (m.port !== undefined && m.port !== ep.port)) {
    ep.mappedAddr = m.addr;
    if (m.port !== undefined) ep.mappedPort = m.port;
  }
}

/** The fields common to both forms, from the values by name. */
function assemble(kind: FwKind, v: Values): AsaFields {
  const src = endpoint(v[SA], v[SP], 'source');
  const dst = endpoint(v[DA], v[DP], 'destination');
  const out: AsaFields = { kind, src, dst };
  if (kind !== 'deny') {
    mapped(src, v[NSA], v[NSP], 'NAT source');
    mapped(dst, v[NDA], v[NDP], 'NAT destination');
    out.initiator = 'src';
    const id = v[SID] ?? v[SID64];
    if (id !== undefined) {
      const n = uintOf(id, 0, id.length);
      if (n < 0) bad(`session id "${clean(id)}" is not a number`);
      out.connId = n;
    }
  }
  const proto = v[PROTO];
  if (proto !== undefined) out.proto = protoName(proto.trim());
  if (v[FROM]) src.iface = clean(v[FROM]);
  if (v[TO]) dst.iface = clean(v[TO]);
  if (v[POLICY]) out.acl = clean(v[POLICY]);
  if (v[IFACE]) out.iface = clean(v[IFACE]);
  if (kind === 'teardown') {
    const r = v[REASON]?.trim();
    if (r) out.reason = clean(r);
    const el = v[ELAPSED];
    if (el !== undefined) {
      const d = uintOf(el, 0, el.length);
      if (d < 0) bad(`elapsed-time "${clean(el)}" is not a number of seconds`);
      out.duration = d;
    }
    const bc = v[BC] === undefined ? 0 : uintOf(v[BC], 0, v[BC].length);
    const bs = v[BS] === undefined ? 0 : uintOf(v[BS], 0, v[BS].length);
    if (bc < 0 || bs < 0) bad('bytes-from-client / bytes-from-server is not a number');
    if (v[BC] !== undefined || v[BS] !== undefined) out.bytes = bc + bs;
  }
  return out;
}

// --------------------------------------------------------------------------- the values by name

/** Slots of the values a line gives (structured keys; the plain form fills the same slots). */
const KEYS = [
  'reason', 'source-address', 'source-port', 'destination-address', 'destination-port', 'nat-source-address', 'nat-source-port',
  'nat-destination-address', 'nat-destination-port', 'protocol-id', 'policy-name', 'source-zone-name', 'destination-zone-name',
  'session-id-32', 'session-id', 'bytes-from-client', 'bytes-from-server', 'elapsed-time', 'packet-incoming-interface',
] as const;
const [REASON, SA, SP, DA, DP, NSA, NSP, NDA, NDP, PROTO, POLICY, FROM, TO, SID, SID64, BC, BS, ELAPSED, IFACE] = KEYS.map((_, i) => i) as number[] as [
  number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number,
];
type Values = (string | undefined)[];
const vals: Values = new Array<string | undefined>(KEYS.length);

/** Keys by length: a key in the line is compared only with the wanted keys of its length. */
const BY_LEN: [key: string, slot: number][][] = [];
KEYS.forEach((k, slot) => (BY_LEN[k.length] ??= []).push([k, slot]));

function slotOf(s: string, k: number, ke: number): number {
  const c = BY_LEN[ke - k];
  if (c !== undefined) for (const [key, slot] of c) if (s.startsWith(key, k)) return slot;
  return -1;
}

/** `[junos@ID key="value" ...]` from i (after `[junos@`): the values into `vals`. */
function structured(s: string, i: number): void {
  const n = s.length;
  while (i < n && s.charCodeAt(i) !== 32 && s.charCodeAt(i) !== 93) i++; // the SD-ID's rest
  for (;;) {
    while (i < n && s.charCodeAt(i) === 32) i++;
    if (i >= n) bad('structured data not closed with "]"');
    if (s.charCodeAt(i) === 93) return;
    const eq = s.indexOf('=', i);
    if (eq < 0) bad(`structured data: no "=" after "${clean(s.slice(i, i + 24))}"`);
    const slot = slotOf(s, i, eq);
    let value: string;
    if (s.charCodeAt(eq + 1) === 34) {
      // a quoted value: `\"`, `\\` and `\]` are escapes (RFC 5424)
      let q = eq + 2;
      for (;; q++) {
        q = s.indexOf('"', q);
        if (q < 0) bad('structured data: a value is not closed with a quote');
        let b = q - 1;
        while (s.charCodeAt(b) === 92) b--;
        if ((q - 1 - b) % 2 === 0) break;
      }
      value = slot < 0 ? '' : s.slice(eq + 2, q);
      if (value.indexOf('\\') >= 0) value = value.replace(/\\(["\\\]])/g, '$1');
      i = q + 1;
    } else {
      // tolerated: an unquoted value (or one in typographic quotes) up to the next space or ']'
      let e = eq + 1;
      while (e < n && s.charCodeAt(e) !== 32 && s.charCodeAt(e) !== 93) e++;
      value = s.slice(eq + 1, e);
      i = e;
    }
    if (slot >= 0) vals[slot] = value;
  }
}

// --------------------------------------------------------------------------- the plain form

/** Token bounds of the plain message (runs of spaces split it; empty fields vanish). */
const MAX_TOKENS = 160;
const tb = new Int32Array(MAX_TOKENS), te = new Int32Array(MAX_TOKENS);
let nt = 0;

function tokenize(s: string, i: number): void {
  const n = s.length;
  nt = 0;
  while (nt < MAX_TOKENS) {
    while (i < n && s.charCodeAt(i) === 32) i++;
    if (i >= n) return;
    tb[nt] = i;
    while (i < n && s.charCodeAt(i) !== 32) i++;
    te[nt++] = i;
  }
}

const tok = (s: string, k: number): string => s.slice(tb[k]!, te[k]!);
const isTag = (s: string, k: number): boolean => k < nt && s.startsWith('0x', tb[k]!);

/** Token k as `A/P->B/Q` into the slots a..a+3 (address, port, address, port). */
function tuple(s: string, k: number, a: number, what: string): void {
  if (k >= nt) bad(`no ${what} addresses`);
  const b = tb[k]!, e = te[k]!;
  const arrow = s.indexOf('->', b);
  if (arrow < 0 || arrow >= e) bad(`"${clean(tok(s, k))}" is not ${what} addresses (A/P->B/Q)`);
  const s1 = s.lastIndexOf('/', arrow), s2 = s.lastIndexOf('/', e - 1);
  if (s1 < b || s2 <= arrow) bad(`"${clean(tok(s, k))}" is not ${what} addresses (A/P->B/Q)`);
  vals[a] = s.slice(b, s1);
  vals[a + 1] = s.slice(s1 + 1, arrow);
  vals[a + 2] = s.slice(arrow + 2, s2);
  vals[a + 3] = s.slice(s2 + 1, e);
}

/** Where token k has its '(' when it ends with ')' (`user(roles)`, `packets(bytes)`), else -1. */
function paren(s: string, k: number): number {
  const b = tb[k]!, e = te[k]!;
  if (s.charCodeAt(e - 1) !== 41) return -1;
  for (let p = b; p < e; p++) if (s.charCodeAt(p) === 40) return p;
  return -1;
}

/** `N(M)` with digits on both sides: M, else -1. */
function countPair(s: string, k: number): number {
  const p = paren(s, k);
  return p > tb[k]! && uintOf(s, tb[k]!, p) >= 0 ? uintOf(s, p + 1, te[k]! - 1) : -1;
}

const userRoles = (s: string, k: number): boolean => paren(s, k) >= 0;

/** The plain message after `RT_FLOW_SESSION_X:` at i, into `vals`. */
function plain(s: string, i: number, kind: FwKind): void {
  while (s.charCodeAt(i) === 32) i++;
  const want = kind === 'built' ? 'session created ' : kind === 'teardown' ? 'session closed ' : 'session denied ';
  if (!s.startsWith(want, i)) bad(`expected "${want.trim()}" after the message name`);
  i += want.length;
  if (kind === 'teardown') {
    const c = s.indexOf(': ', i);
    if (c < 0) bad('no ": " after the close reason');
    vals[REASON] = s.slice(i, c);
    i = c + 2;
  }
  tokenize(s, i);
  tuple(s, 0, SA, 'session');
  let k = isTag(s, 1) ? 2 : 1; // connection tag (12.1X44 on)
  k++; // service-name
  if (kind === 'deny') {
    // SERVICE PROTO(ICMP-TYPE) POLICY FROM TO [APP NESTED-APP USER(ROLES) IFACE ...]
    if (k >= nt || countPair(s, k) < 0) bad('no protocol-id(icmp-type) after the service');
    vals[PROTO] = s.slice(tb[k]!, paren(s, k));
    if (k + 3 >= nt) bad('no policy and zones after the protocol');
    vals[POLICY] = tok(s, k + 1);
    vals[FROM] = tok(s, k + 2);
    vals[TO] = tok(s, k + 3);
    for (let u = k + 4; u < nt - 1; u++) if (userRoles(s, u)) { vals[IFACE] = tok(s, u + 1); break; }
    return;
  }
  tuple(s, k, NSA, 'NAT');
  const from = isTag(s, k + 1) ? k + 2 : k + 1;
  // the NAT rule types and names before the protocol vary by release: find the session id from
  // behind, before the first PKTS(BYTES) (close) or USER(ROLES) (create) token, else the last one
  let sid = -1;
  for (let u = from; u < nt; u++) {
    if (kind === 'teardown' ? countPair(s, u) >= 0 : userRoles(s, u)) {
      sid = u - 1;
      break;
    }
  }
  if (sid < 0) {
    if (kind === 'teardown') bad('no packets(bytes) counts after the session id');
    sid = nt - 1;
  }
  if (sid - 4 < from) bad('too few fields between the NAT addresses and the session id');
  vals[PROTO] = tok(s, sid - 4);
  if (uintOf(s, tb[sid - 4]!, te[sid - 4]!) < 0) bad(`protocol-id "${clean(vals[PROTO])}" is not a number`);
  vals[POLICY] = tok(s, sid - 3);
  vals[FROM] = tok(s, sid - 2);
  vals[TO] = tok(s, sid - 1);
  vals[SID] = tok(s, sid);
  let u = sid + 1;
  if (kind === 'teardown') {
    if (sid + 2 >= nt || countPair(s, sid + 2) < 0) bad('no server packets(bytes) after the client ones');
    vals[BC] = s.slice(paren(s, sid + 1) + 1, te[sid + 1]! - 1);
    vals[BS] = s.slice(paren(s, sid + 2) + 1, te[sid + 2]! - 1);
    if (sid + 3 < nt) vals[ELAPSED] = tok(s, sid + 3);
    u = sid + 4;
  }
  for (; u < nt - 1; u++) if (userRoles(s, u)) { vals[IFACE] = tok(s, u + 1); break; }
}

// --------------------------------------------------------------------------- the reader

const kindOf = (s: string, i: number): FwKind =>
  s.startsWith('CREATE', i) ? 'built' : s.startsWith('CLOSE', i) ? 'teardown' : s.startsWith('DENY', i) ? 'deny' : 'other';

/** Severity of the line's `<PRI>` before `at`, 6 without one. */
function severityBefore(s: string, at: number): number {
  const lt = s.indexOf('<');
  if (lt < 0 || lt >= at) return 6;
  const gt = s.indexOf('>', lt);
  const pri = gt > lt && gt - lt <= 4 ? uintOf(s, lt + 1, gt) : -1;
  return pri >= 0 && pri <= 191 ? pri & 7 : 6;
}

/** A line read: its body is made when asked for (the column store reads the line again instead). */
class SrxLine implements VendorLine {
  readonly vendor = 'SRX';
  readonly msgid = 0;
  constructor(private readonly line: string, readonly at: number, readonly severity: number, readonly fields: AsaFields) {}
  get body(): string {
    return clean(this.line.slice(this.at));
  }
}

/** One line as an SRX RT_FLOW message: null when it is none, an error when it is one that cannot be read. */
export function parseSrxLine(line: string): VendorLine | { error: string } | null {
  const n = line.length;
  let apptrack = false;
  let at = line.indexOf(SESSION);
  let e = 0, i = 0, sd = false;
  // the first mention followed by its body: `[junos@...` or `:` (an RFC 5424 MSGID before a
  // plain message, or a command line that mentions a name, is passed over)
  for (;;) {
    if (at < 0 && !apptrack) {
      apptrack = true;
      at = line.indexOf(APPTRACK);
    }
    if (at < 0) return null;
    for (e = at; e < n; e++) {
      const c = line.charCodeAt(e);
      if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95)) break;
    }
    for (i = e; i < n && line.charCodeAt(i) === 32; ) i++;
    sd = line.startsWith('[junos@', i);
    if (sd || line.charCodeAt(i) === 58) break;
    at = line.indexOf(apptrack ? APPTRACK : SESSION, e);
  }
  const kind = apptrack ? 'other' : kindOf(line, at + SESSION.length);
  const name = line.slice(at, e);
  let fields: AsaFields = { kind: 'other' };
  if (kind !== 'other') {
    vals.fill(undefined);
    try {
      if (sd) structured(line, i + 7);
      else plain(line, i + 1, kind);
      fields = assemble(kind, vals);
    } catch (err) {
      if (err instanceof Bad) return { error: `${name}: ${err.message}` };
      throw err;
    }
  }
  return new SrxLine(line, at, severityBefore(line, at), fields);
}

export const srxReader: VendorReader = {
  vendor: 'SRX',
  tag: /RT_FLOW_SESSION_|APPTRACK_SESSION_/,
  parse: parseSrxLine,
  reasons: SRX_REASONS,
};
