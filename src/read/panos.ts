/**
 * Palo Alto Networks PAN-OS logs forwarded by syslog in the default format: CSV after the syslog
 * header, one log a line, fields in the order of the admin guide's "Syslog Field Descriptions"
 * (Traffic Log Fields, Threat Log Fields; PAN-OS 8.0 to 11.x):
 *
 *   <14>Oct  4 18:54:26 fw01 1,2023/10/04 18:54:26,012501002341,TRAFFIC,end,2561,2023/10/04 18:54:24,SRC,DST,NATSRC,NATDST,RULE,...
 *
 * Fields are counted from the receive time (field 1; field 0, FUTURE_USE, is the `1` before it,
 * absent in some exports). Every release only appends fields (8.0 ends near 60, 11.x past 110), so
 * the positions read here hold in all of them and any trailing fields are ignored; only the log
 * type and subtype say what a line is. What becomes what:
 *
 *   TRAFFIC start        'built'     client in `src`; the event's time is the session's Start Time, so
 *                                    the start log PAN-OS writes again when App-ID changes the app
 *                                    keeps the session's start (it replaces the first in the join)
 *   TRAFFIC end          'teardown'  reason = Session End Reason as written, duration = Elapsed Time,
 *                                    bytes = Bytes (both ways); app `incomplete` (the handshake never
 *                                    completed) with aged-out / tcp-rst-* gives the reason
 *                                    `aged-out (incomplete)` etc., whose class says so
 *   TRAFFIC drop / deny  'deny'      denied by policy before / after App-ID; `acl` = the rule
 *   THREAT with action reset-both / reset-client / reset-server
 *                        'other'     with the session id as connId and the action as reason: a note
 *                                    on its session (the firewall reset it for a threat; the
 *                                    session's end log says `threat`), never a connection of its own
 *   any other PAN-OS log 'other'     (other THREAT actions, SYSTEM, CONFIG, ...): counted, kept
 *
 * NAT: NAT Source/Destination IP and Port are the `mappedAddr`/`mappedPort` of each side
 * (0.0.0.0, :: or empty: not translated). Interfaces: Inbound -> `src.iface`, Outbound ->
 * `dst.iface`; zones, users, app, per-side bytes and packets stay in the line's text. The Flags
 * field is a bitmask of the session (NAT, IPv6, decrypted, ...), not TCP flags: it is not read.
 * Time: the Generated Time (else the Receive Time), the firewall's wall clock without a zone
 * (--tz applies). Device: Device Name (else the syslog header's host).
 */
import { isIPv6 } from 'node:net';
import type { AsaFields, FwEndpoint } from './asa.js';
import { v4Number } from './fw-chunk.js';
import { stripControl, type Stamp } from './syslog-envelope.js';
import type { ReasonTable, VendorLine, VendorReader } from './vendors.js';

// field positions (the admin guide's order; 0 = the FUTURE_USE before the receive time)
const F_RECV = 1, F_TYPE = 3, F_SUB = 4, F_GEN = 6, F_SRC = 7, F_DST = 8, F_NATSRC = 9, F_NATDST = 10, F_RULE = 11;
const F_APP = 14, F_IN = 18, F_OUT = 19, F_SESSION = 22, F_SPORT = 24, F_DPORT = 25, F_NATSPORT = 26, F_NATDPORT = 27;
const F_PROTO = 29, F_ACTION = 30, F_BYTES = 31, F_START = 35, F_ELAPSED = 36, F_REASON = 46, F_DEVICE = 52;
/** THREAT: Severity and Device Name */
const F_T_SEV = 34, F_T_DEVICE = 59;
/** the last field read: the rest of a line is not split */
const MAX_FIELD = F_T_DEVICE;

/** The log types of PAN-OS's syslog (field 3). */
const TYPES = new Set(['TRAFFIC', 'THREAT', 'SYSTEM', 'CONFIG', 'HIPMATCH', 'GLOBALPROTECT', 'USERID', 'AUTHENTICATION', 'DECRYPTION', 'TUNNEL', 'SCTP', 'CORRELATION', 'IPTAG', 'GTP', 'AUDIT']);
const RESETS = new Set(['reset-both', 'reset-client', 'reset-server']);
/** end reasons that name the handshake's outcome when App-ID says `incomplete` */
const INCOMPLETE = new Set(['aged-out', 'tcp-rst-from-client', 'tcp-rst-from-server']);
/** THREAT Severity -> syslog severity */
const THREAT_SEVERITY: Readonly<Record<string, number>> = { critical: 2, high: 3, medium: 4, low: 5, informational: 6 };

const none = 'none' as const;
/**
 * Session End Reason (admin guide, Traffic Log Fields: highest priority first), the app
 * `incomplete` forms, and THREAT reset actions. `tcp-fin` names no side: one or both ends sent FIN.
 */
export const PANOS_REASONS: ReasonTable = {
  threat: { teardown: 'firewall-reset', side: none, meaning: 'a security profile found a threat with a reset, drop or block-IP action and the firewall ended the session (the THREAT log of the same session names it)' },
  'policy-deny': { teardown: 'firewall-reset', side: none, meaning: 'the session matched a security rule with a deny, drop or reset action (often once App-ID knew the application) and the firewall ended it' },
  'decrypt-cert-validation': { teardown: 'firewall-reset', side: none, meaning: 'the decryption policy blocked the session: client authentication, or a server certificate that is expired, untrusted, revoked or could not be checked' },
  'decrypt-unsupport-param': { teardown: 'firewall-reset', side: none, meaning: 'the decryption policy blocked the session: a protocol version, cipher or SSH algorithm the firewall does not support' },
  'decrypt-error': { teardown: 'firewall-reset', side: none, meaning: 'the decryption policy blocked the session: the firewall (or its HSM) lacked resources, or another TLS/SSH error' },
  'tcp-rst-from-client': { teardown: 'abort', side: 'client', meaning: 'the client sent a TCP RST and the firewall removed the session' },
  'tcp-rst-from-server': { teardown: 'abort', side: 'server', meaning: 'the server sent a TCP RST and the firewall removed the session' },
  'resources-unavailable': { teardown: 'firewall-reset', side: none, meaning: 'the firewall dropped the session for a resource limit (e.g. too many out-of-order packets for the flow or for the global queue)' },
  'tcp-fin': { teardown: 'graceful', side: none, meaning: 'one or both ends sent FIN and the firewall closed the session (the log says neither which end closed first nor whether both did); a later packet of it, like a late RST, is dropped as non-SYN without a session, which PAN-OS does not log by default' },
  'tcp-reuse': { teardown: 'open', side: none, meaning: 'a new connection reused the tuple (a new SYN) and the firewall closed the previous session: how that one ended, the firewall did not see' },
  decoder: { teardown: 'firewall-reset', side: none, meaning: 'a protocol decoder (HTTP proxy, FTP, SIP ...) saw a new connection within the protocol and ended the previous session' },
  'aged-out': { teardown: 'timeout', side: none, meaning: 'no packet for longer than the session\'s timeout (TCP 3600 s by default, or the application\'s own): the firewall removed it silently; a later packet of it is dropped as non-SYN without a session, not logged by default' },
  unknown: { teardown: 'open', side: none, meaning: 'a reason PAN-OS does not name (e.g. `clear session all`, or a log from a release without end reasons)' },
  'n/a': { teardown: 'open', side: none, meaning: 'not a session end (start, drop and deny logs carry n/a)' },
  'aged-out (incomplete)': { teardown: 'unanswered', side: none, meaning: 'App-ID `incomplete`: the TCP handshake never completed, and the session aged out: the server never answered the SYN, or its answer did not come back through the firewall' },
  'tcp-rst-from-server (incomplete)': { teardown: 'abort', side: 'server', meaning: 'App-ID `incomplete`: the server answered the handshake with RST (nothing listening, or refused)' },
  'tcp-rst-from-client (incomplete)': { teardown: 'abort', side: 'client', meaning: 'App-ID `incomplete`: the client reset the connection before the handshake completed' },
  'reset-both': { teardown: 'firewall-reset', side: none, meaning: 'THREAT log: the firewall ended the session for a threat and sent a TCP RST to both ends' },
  'reset-client': { teardown: 'firewall-reset', side: none, meaning: 'THREAT log: the firewall ended the session for a threat and sent a TCP RST to the client' },
  'reset-server': { teardown: 'firewall-reset', side: none, meaning: 'THREAT log: the firewall ended the session for a threat and sent a TCP RST to the server' },
};

// ---------------------------------------------------------------- the CSV scanner

/** where field i starts and ends (exclusive) in the line, and whether it was quoted */
const fs = new Int32Array(MAX_FIELD + 1);
const fe = new Int32Array(MAX_FIELD + 1);
const fq = new Uint8Array(MAX_FIELD + 1);
let cur = '';

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
/** anything but printable ASCII: where found, the message goes through stripControl */
const ODD = /[^\x20-\x7e]/;
const UPPER = /[A-Z]/;

/** Whether s has two digits at i. */
const digits2 = (s: string, i: number): boolean => isDigit(s.charCodeAt(i)) && isDigit(s.charCodeAt(i + 1));

/** Where `YYYY/MM/DD HH:MM:SS,` (the receive time) starts in the line, or -1. */
function receiveTime(s: string): number {
  for (let p = s.indexOf('/'); p >= 0; p = s.indexOf('/', p + 1)) {
    const b = p - 4;
    if (b >= 0 && s.charCodeAt(p + 3) === 47 && s.charCodeAt(p + 6) === 32 && s.charCodeAt(p + 9) === 58 && s.charCodeAt(p + 12) === 58 &&
      s.charCodeAt(p + 15) === 44 && digits2(s, b) && digits2(s, b + 2) && digits2(s, p + 1) && digits2(s, p + 4) && digits2(s, p + 7) &&
      digits2(s, p + 10) && digits2(s, p + 13)) return b;
  }
  return -1;
}

/** whether the last split met a quote that is not closed (the fields before it are read) */
let unclosed = false;
/** where the field after the last split's last starts (-1: the line ended) */
let resume = -1;

/**
 * Splits the line from `p` (field `i`) up to field `last`: how many fields there are (as far as
 * read). A quoted field may hold commas; `""` in it is a quote.
 */
function split(s: string, p: number, i: number, last: number): number {
  const n = s.length;
  unclosed = false;
  resume = -1;
  for (;;) {
    let end: number;
    if (s.charCodeAt(p) === 34) {
      let q = p + 1;
      for (;;) {
        q = s.indexOf('"', q);
        if (q < 0) {
          unclosed = true;
          return i;
        }
        if (s.charCodeAt(q + 1) !== 34) break;
        q += 2;
      }
      fs[i] = p + 1;
      fe[i] = q;
      fq[i] = 1;
      // (anything between the closing quote and the next comma is dropped)
      end = s.indexOf(',', q + 1);
    } else {
      end = s.indexOf(',', p);
      fs[i] = p;
      fe[i] = end < 0 ? n : end;
      fq[i] = 0;
    }
    if (end < 0) return i + 1;
    if (i++ === last) {
      resume = end + 1;
      return i;
    }
    p = end + 1;
  }
}

/** Field i as text. */
function val(i: number): string {
  const v = cur.slice(fs[i]!, fe[i]!);
  return fq[i] && v.includes('""') ? v.replaceAll('""', '"') : v;
}

/** Field i as a non-negative integer: -1 when empty, -2 when it is no number. */
function uint(i: number): number {
  const a = fs[i]!, b = fe[i]!;
  if (a === b) return -1;
  let v = 0;
  for (let k = a; k < b; k++) {
    const c = cur.charCodeAt(k);
    if (!isDigit(c)) return -2;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** The two digits at k as a number, NaN if they are none. */
function d2(k: number): number {
  const x = cur.charCodeAt(k) - 48, y = cur.charCodeAt(k + 1) - 48;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : NaN;
}

/** Field i as `YYYY/MM/DD HH:MM:SS`: undefined when empty, null when it is something else. */
function stampOf(i: number): Stamp | undefined | null {
  const a = fs[i]!;
  if (a === fe[i]) return undefined;
  if (fe[i]! - a !== 19) return null;
  const t: Stamp = { y: d2(a) * 100 + d2(a + 2), mo: d2(a + 5) - 1, d: d2(a + 8), h: d2(a + 11), mi: d2(a + 14), s: d2(a + 17), us: 0 };
  const seps = cur.charCodeAt(a + 4) === 47 && cur.charCodeAt(a + 7) === 47 && cur.charCodeAt(a + 10) === 32 && cur.charCodeAt(a + 13) === 58 && cur.charCodeAt(a + 16) === 58;
  const ok = seps && !Number.isNaN(t.y! + t.mo + t.d + t.h + t.mi + t.s) && t.mo >= 0 && t.mo < 12 && t.d >= 1 && t.d <= 31 && t.h < 24 && t.mi < 60 && t.s <= 60;
  return ok ? t : null;
}

const isAddr = (a: string): boolean => v4Number(a) >= 0 || (a.includes(':') && isIPv6(a));
const untranslated = (a: string): boolean => a === '' || a === '0.0.0.0' || a === '::';

/** One side of the session: its address, port, NAT form and interface; a string says what is wrong. */
function side(name: string, fa: number, fp: number, fna: number, fnp: number, fif: number, ports: boolean): FwEndpoint | string {
  const addr = val(fa);
  if (!isAddr(addr)) return `${name} address '${addr}' is no IP address`;
  const ep: FwEndpoint = { addr };
  if (ports) {
    const p = uint(fp);
    if (p < 0 || p > 65535) return `${name} port '${val(fp)}' is no port`;
    ep.port = p;
  }
  const nat = val(fna);
  if (!untranslated(nat)) {
    if (!isAddr(nat)) return `NAT ${name} address '${nat}' is no IP address`;
    const np = uint(fnp);
    if (np < -1 || np > 65535) return `NAT ${name} port '${val(fnp)}' is no port`;
    // (PAN-OS repeats the untranslated side of a NAT session in its NAT fields)
    if (nat !== addr || (ports && np > 0 && np !== ep.port)) {
      ep.mappedAddr = nat;
      if (ports && np > 0) ep.mappedPort = np;
    }
  }
  if (fe[fif]! > fs[fif]!) ep.iface = val(fif);
  return ep;
}

/** The session's 5-tuple, protocol, id and rule: what TRAFFIC and THREAT lines share. */
function session(kind: AsaFields['kind']): AsaFields | string {
  let proto = val(F_PROTO);
  if (proto !== 'tcp' && proto !== 'udp') proto = proto.toLowerCase();
  if (proto === 'ipv6-icmp') proto = 'icmp6';
  const ports = proto !== 'icmp' && proto !== 'icmp6';
  const src = side('source', F_SRC, F_SPORT, F_NATSRC, F_NATSPORT, F_IN, ports);
  if (typeof src === 'string') return src;
  const dst = side('destination', F_DST, F_DPORT, F_NATDST, F_NATDPORT, F_OUT, ports);
  if (typeof dst === 'string') return dst;
  const id = uint(F_SESSION);
  if (id < 0) return `session id '${val(F_SESSION)}' is no number`;
  const f: AsaFields = { kind, proto, connId: id, src, dst, initiator: 'src' };
  if (fe[F_RULE]! > fs[F_RULE]!) f.acl = val(F_RULE);
  return f;
}

/** What is wrong with a line of that type and subtype. */
const bad = (type: string, sub: string, m: string): { error: string } => ({ error: `${type} ${sub}: ${m}` });

/** The line as a PAN-OS log, null when it is none (another reader may try), error when it is one but unreadable. */
export function parsePanos(line: string): VendorLine | { error: string } | null {
  const recv = receiveTime(line);
  if (recv < 0) return null;
  cur = line;
  let n = split(line, recv, F_RECV, F_TYPE);
  if (n <= F_TYPE) return null;
  const type = val(F_TYPE);
  if (!TYPES.has(type)) return null;
  // (the rest as far as this type's fields go)
  if (resume >= 0) n = split(line, resume, n, type === 'TRAFFIC' ? F_DEVICE : type === 'THREAT' ? F_T_DEVICE : F_GEN);
  // the message starts at field 0 (the token glued to the receive time's comma) when there is one
  let at = recv;
  if (recv > 0 && line.charCodeAt(recv - 1) === 44) {
    at = recv - 1;
    while (at > 0 && line.charCodeAt(at - 1) !== 32 && line.charCodeAt(at - 1) !== 9) at--;
  }
  let sub = n > F_SUB ? val(F_SUB) : '';
  if (UPPER.test(sub)) sub = sub.toLowerCase();
  if (unclosed) return bad(type, sub, `the quoted field ${n} is not closed`);
  if (n <= F_SUB) return { error: `${type}: no subtype (a cut line?)` };
  // the Generated Time, else the Receive Time
  const gen = n > F_GEN ? stampOf(F_GEN) : undefined;
  if (gen === null) return bad(type, sub, `generated time '${val(F_GEN)}' is no YYYY/MM/DD HH:MM:SS time`);
  const stamp = gen ?? stampOf(F_RECV);
  if (!stamp) return bad(type, sub, `receive time '${val(F_RECV)}' is no valid time`);
  let body = line.slice(at);
  if (ODD.test(body)) body = stripControl(body);
  const out: VendorLine = { vendor: 'PAN-OS', msgid: 0, severity: 6, at, body, fields: { kind: 'other' }, stamp };

  if (type === 'TRAFFIC') {
    if (n <= F_ELAPSED) return bad(type, sub, `${n} fields, a TRAFFIC log has at least ${F_ELAPSED + 1} (a cut line?)`);
    const kind = sub === 'start' ? 'built' : sub === 'end' ? 'teardown' : sub === 'drop' || sub === 'deny' ? 'deny' : 'other';
    const f = session(kind);
    if (typeof f === 'string') return bad(type, sub, f);
    if (kind === 'built') {
      const st = stampOf(F_START);
      if (st) out.stamp = st;
    } else if (kind === 'teardown') {
      const bytes = uint(F_BYTES), elapsed = uint(F_ELAPSED);
      if (bytes === -2 || elapsed === -2) return bad(type, sub, `${bytes === -2 ? `bytes '${val(F_BYTES)}'` : `elapsed time '${val(F_ELAPSED)}'`} is no number`);
      if (bytes >= 0) f.bytes = bytes;
      if (elapsed >= 0) f.duration = elapsed;
      if (n > F_REASON && fe[F_REASON]! > fs[F_REASON]!) {
        let reason = val(F_REASON);
        if (INCOMPLETE.has(reason) && val(F_APP) === 'incomplete') reason += ' (incomplete)';
        f.reason = reason;
      }
    } else if (kind === 'deny') f.aclAction = 'denied';
    out.fields = f;
    if (n > F_DEVICE && fe[F_DEVICE]! > fs[F_DEVICE]!) out.device = val(F_DEVICE);
  } else if (type === 'THREAT' && n > F_ACTION) {
    const action = val(F_ACTION).toLowerCase();
    if (n > F_T_SEV) out.severity = THREAT_SEVERITY[val(F_T_SEV).toLowerCase()] ?? 6;
    if (n > F_T_DEVICE && fe[F_T_DEVICE]! > fs[F_T_DEVICE]!) out.device = val(F_T_DEVICE);
    if (RESETS.has(action)) {
      const f = session('other');
      if (typeof f === 'string') return bad(type, sub, f);
      f.reason = action;
      out.fields = f;
    }
  }
  return out;
}

export const PANOS_READER: VendorReader = {
  vendor: 'PAN-OS',
  // the receive time, the serial number and a log type: `2023/10/04 18:54:26,012501002341,TRAFFIC,`
  tag: new RegExp(`\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d,[\\w-]*,(?:${[...TYPES].join('|')}),`),
  parse: (line) => parsePanos(line),
  reasons: PANOS_REASONS,
};
