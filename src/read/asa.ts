/**
 * Cisco ASA / FTD / PIX message bodies -> typed firewall events. Formats follow Cisco's syslog
 * message guide; every field of the messages rsttui correlates with is parsed. Other message ids
 * become kind 'other' (counted and kept). A body of a known id that does not match its format is
 * an error for the caller to report (the line is skipped).
 *
 * parseAsaBody reads the common messages with a hand-written scanner (asa-fast.ts) and everything
 * else, and every body the scanner does not take, with the regexes here (parseAsaBodySlow).
 */
import { isIP } from 'node:net';
import { scanAsaBody } from './asa-fast.js';
import { groups, ifaceOf, parseFlagWords, reasonOf } from './asa-scan.js';
import { parseFtdEvent } from './ftd-events.js';
import type { Vendor } from './syslog-envelope.js';

export { parseFlagWords } from './asa-scan.js';

export const FW_KINDS = [
  'built',
  'teardown',
  'deny-no-conn',
  'deny',
  'permit',
  'nat-built',
  'nat-teardown',
  'local-host-built',
  'local-host-teardown',
  'other',
] as const;
export type FwKind = (typeof FW_KINDS)[number];

/** Each kind's index, the number the event columns hold (fw-chunk.ts `kind`). */
export const K_BUILT = FW_KINDS.indexOf('built');
export const K_TEARDOWN = FW_KINDS.indexOf('teardown');
export const K_NOCONN = FW_KINDS.indexOf('deny-no-conn');
export const K_DENY = FW_KINDS.indexOf('deny');
export const K_PERMIT = FW_KINDS.indexOf('permit');
export const K_NAT_BUILT = FW_KINDS.indexOf('nat-built');
export const K_NAT_TEARDOWN = FW_KINDS.indexOf('nat-teardown');
export const K_LH_BUILT = FW_KINDS.indexOf('local-host-built');
export const K_LH_TEARDOWN = FW_KINDS.indexOf('local-host-teardown');
export const K_OTHER = FW_KINDS.indexOf('other');

/** One side of a connection / packet as the firewall names it. */
export interface FwEndpoint {
  /** interface name (`OUTSIDE`, `NP Identity Ifc`); absent where the message gives none */
  iface?: string;
  addr: string;
  /** absent for ICMP / local-host; NaN for a service name the reader does not know */
  port?: number;
  /** a service name written instead of a port (710003: `/ssh`) */
  service?: string;
  /** mapped (NAT) address and port, `(addr/port)` after the real ones */
  mappedAddr?: string;
  mappedPort?: number;
  /** identity-firewall user / SGT written after the endpoint, e.g. `LOCAL\bob` */
  user?: string;
  /** NAT rule name written with the interface, `Outside(Inside_nat_outbound)` */
  natRule?: string;
}

export interface FwEvent {
  /** epoch seconds, NaN if unknown */
  ts: number;
  tsSource: 'firewall' | 'relay' | 'none';
  msgid: number;
  severity: number;
  vendor: Vendor;
  host?: string;
  /** message text after the msgid, control characters stripped */
  text: string;
  file: string;
  line: number;
  kind: FwKind;
  /** 'tcp' | 'udp' | 'icmp' | other protocol as written (lower case) */
  proto?: string;
  /** 302013/302015: who initiated, relative to the security levels */
  direction?: 'inbound' | 'outbound';
  /** which endpoint opened the connection, where a message says so without security levels (other vendors' session logs) */
  initiator?: 'src' | 'dst';
  connId?: number;
  /**
   * First and second endpoint as written. 30201x: the `for` side and the `to` side (for inbound
   * connections `src` is the initiator, for outbound `dst` is); deny/ACL messages: the packet's
   * source and destination; 305011/305012: real (`src`) and mapped (`dst`) side; 609001/2: `src`.
   */
  src?: FwEndpoint;
  dst?: FwEndpoint;
  /** seconds */
  duration?: number;
  bytes?: number;
  /** teardown reason, canonical spelling when known (see asa-reasons.ts), else as written */
  reason?: string;
  /** `from IFACE` after the reason: the interface whose packet ended the connection */
  reasonFrom?: string;
  /** AAA user, the trailing `(user)` */
  user?: string;
  /** TCP flag bits of the denied packet (106015, 106001) */
  tcpFlags?: number;
  /** flags as written, e.g. `RST` or `FIN PSH ACK` */
  flagText?: string;
  /** `on interface X` (106015, 106001) */
  iface?: string;
  /** ACL / access-group name (106023, 106100) */
  acl?: string;
  aclAction?: 'permitted' | 'denied' | 'est-allowed';
  hitCount?: number;
  /** 106100: 0 for "first hit", else the interval in seconds */
  intervalSec?: number;
  /** hash codes `[0x..., 0x...]` of the ACE */
  hashes?: [string, string];
  icmpType?: number;
  icmpCode?: number;
  natType?: 'dynamic' | 'static';
}

/** What parseAsaBody adds to the envelope fields. */
export type AsaFields = Omit<FwEvent, 'ts' | 'tsSource' | 'msgid' | 'severity' | 'vendor' | 'host' | 'text' | 'file' | 'line'>;

const SERVICES: Readonly<Record<string, number>> = {
  ftp: 21, ssh: 22, telnet: 23, smtp: 25, domain: 53, www: 80, http: 80, pop3: 110, sunrpc: 111,
  nntp: 119, ntp: 123, netbios: 139, imap4: 143, snmp: 161, ldap: 389, https: 443, smb: 445,
  syslog: 514, ldaps: 636, sqlnet: 1521, rdp: 3389,
};

function portOrService(ep: FwEndpoint, s: string): void {
  if (/^\d+$/.test(s)) ep.port = Number(s);
  else {
    ep.service = s;
    ep.port = SERVICES[s.toLowerCase()] ?? NaN;
  }
}

const A = '([0-9A-Fa-f.:]+)';
/** interface: anything up to the first colon (names may contain spaces, e.g. "NP Identity Ifc") */
const IF = '([^:]+?)';
/** zero or more `(...)` groups after an endpoint (identity users, SGT), not `(type 8, code 0)` */
const USERS = '((?:\\s*\\((?!type \\d)[^)/]*\\))*)';
/** IF:addr/port [(mapped/port)] [(user)]... -> 6 groups */
const EP = `${IF}:${A}\\/(\\d+)(?:\\s*\\(${A}\\/(\\d+)\\))?${USERS}`;
const HMS = '(\\d+):(\\d\\d):(\\d\\d)';
const HASHES = '(?:\\s*\\[(0x[0-9A-Fa-f]+),\\s*(0x[0-9A-Fa-f]+)\\])?';

const RE_BUILT = new RegExp(`^Built (inbound|outbound) (?:Probe )?(TCP|UDP) connection (\\d+) for ${EP} to ${EP}\\s*$`, 'i');
const RE_TEARDOWN = new RegExp(`^Teardown (?:Probe )?(TCP|UDP) connection (\\d+) for ${EP} to ${EP} duration ${HMS} bytes (\\d+)(.*)$`, 'i');
/** 106015 as documented (no interfaces on the addresses), groups as RE_106015_IF with 1 and 4 empty */
const RE_106015 = new RegExp(`^Deny TCP \\(no connection\\) from ()${A}\\/(\\d+) to ()${A}\\/(\\d+) flags(.*?)\\s+on interface (.+?)\\s*$`, 'i');
/** tolerated variant with `IF:` before an address; tried second so that IPv6 `fd00::1` is not read as IF `fd00` */
const RE_106015_IF = new RegExp(`^Deny TCP \\(no connection\\) from (?:${IF}:)?${A}\\/(\\d+) to (?:${IF}:)?${A}\\/(\\d+) flags(.*?)\\s+on interface (.+?)\\s*$`, 'i');
const RE_106001 = new RegExp(`^Inbound (TCP) connection denied from ${A}\\/(\\d+) to ${A}\\/(\\d+) flags(.*?)\\s+on interface (.+?)\\s*$`, 'i');
const RE_106023 = new RegExp(
  `^Deny (\\S+) src ${IF}:${A}(?:\\/(\\d+))?${USERS} dst ${IF}:${A}(?:\\/(\\d+))?${USERS}` +
    `(?:\\s*\\(type (\\d+), code (\\d+)\\))? by access-group "([^"]*)"${HASHES}\\s*$`,
  'i',
);
const RE_106100 = new RegExp(
  `^access-list (\\S+) (permitted|denied|est-allowed) (\\S+) ([^/]+?)\\/${A}\\((\\d+)\\)${USERS}\\s*->\\s*([^/]+?)\\/${A}\\((\\d+)\\)${USERS}` +
    ` hit-cnt (\\d+) \\(?(first hit|(\\d+)-second interval)\\)?${HASHES}\\s*$`,
  'i',
);
const RE_710003 = new RegExp(`^(TCP|UDP) access denied by ACL from ${A}\\/(\\S+) to ${IF}:${A}\\/(\\S+)\\s*$`, 'i');
const RE_609001 = new RegExp(`^Built local-host ${IF}:${A}${USERS}\\s*$`, 'i');
const RE_609002 = new RegExp(`^Teardown local-host ${IF}:${A}${USERS} duration ${HMS}\\s*$`, 'i');
const RE_NAT = new RegExp(
  `^(Built|Teardown) (dynamic|static) (TCP|UDP|ICMP) translation from ${IF}:${A}\\/(\\d+)${USERS} to ${IF}:${A}\\/(\\d+)${USERS}(?: duration ${HMS})?\\s*$`,
  'i',
);

function hms(h: string | undefined, m: string | undefined, s: string | undefined): number {
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

class BadBody extends Error {}

function addr(s: string | undefined): string {
  if (s === undefined || isIP(s) === 0) throw new BadBody(`not an IP address: "${s ?? ''}"`);
  return s.toLowerCase();
}

/** Six EP groups starting at index i. Returns the endpoint and its trailing user groups. */
function endpoint(m: RegExpExecArray, i: number): { ep: FwEndpoint; users: string[] } {
  const ep: FwEndpoint = { addr: addr(m[i + 1]), port: Number(m[i + 2]) };
  ifaceOf(ep, m[i]);
  if (m[i + 3] !== undefined) {
    ep.mappedAddr = addr(m[i + 3]);
    ep.mappedPort = Number(m[i + 4]);
  }
  return { ep, users: groups(m[i + 5]) };
}

function flagsInto(out: AsaFields, text: string): void {
  const t = text.trim();
  const f = parseFlagWords(t);
  if (f === undefined) throw new BadBody(`unknown TCP flag in "${t}"`);
  out.tcpFlags = f;
  out.flagText = t.replace(/\s+/g, ' ');
}

/**
 * Parse the body of one message. Returns the typed fields, or `{ error }` when a message id this
 * reader knows has a body that does not match its format.
 */
export function parseAsaBody(msgid: number, body: string): AsaFields | { error: string } {
  return scanAsaBody(msgid, body) ?? parseAsaBodySlow(msgid, body);
}

/** parseAsaBody with regexes only: reads every form; the fast path's reference (tests, bench). */
export function parseAsaBodySlow(msgid: number, body: string): AsaFields | { error: string } {
  try {
    return parseOrThrow(msgid, body);
  } catch (e) {
    if (e instanceof BadBody) return { error: e.message };
    throw e;
  }
}

function fail(msgid: number): never {
  throw new BadBody(`message ${msgid} does not have the documented format`);
}

function parseOrThrow(msgid: number, body: string): AsaFields {
  switch (msgid) {
    case 302013:
    case 302015: {
      const m = RE_BUILT.exec(body);
      if (!m) fail(msgid);
      const a = endpoint(m, 4);
      const b = endpoint(m, 10);
      if (a.users[0] !== undefined) a.ep.user = a.users[0];
      // Cisco: `... to IF:a/p (m/p) [(idfw_user)] [(user)]`: one trailing group is the identity user.
      if (b.users[0] !== undefined) b.ep.user = b.users[0];
      const out: AsaFields = {
        kind: 'built', direction: m[1]!.toLowerCase() as 'inbound' | 'outbound', proto: m[2]!.toLowerCase(),
        connId: Number(m[3]), src: a.ep, dst: b.ep,
      };
      if (b.users[1] !== undefined) out.user = b.users[1];
      return out;
    }
    case 302014:
    case 302016: {
      const m = RE_TEARDOWN.exec(body);
      if (!m) fail(msgid);
      const a = endpoint(m, 3);
      const b = endpoint(m, 9);
      if (a.users[0] !== undefined) a.ep.user = a.users[0];
      if (b.users[0] !== undefined) b.ep.user = b.users[0];
      const out: AsaFields = {
        kind: 'teardown', proto: m[1]!.toLowerCase(), connId: Number(m[2]), src: a.ep, dst: b.ep,
        duration: hms(m[15], m[16], m[17]), bytes: Number(m[18]),
      };
      let rest = (m[19] ?? '').trim();
      const u = /\s*\(([^)]*)\)\s*$/.exec(rest);
      if (u) {
        out.user = u[1]!.trim();
        rest = rest.slice(0, u.index).trim();
      }
      if (rest !== '') {
        const r = /^(.*?)(?:\s+from\s+(\S.*))?$/.exec(rest)!;
        out.reason = reasonOf(r[1]!.trim());
        if (r[2] !== undefined) out.reasonFrom = r[2].trim();
      }
      return out;
    }
    case 106015: {
      const m = RE_106015.exec(body) ?? RE_106015_IF.exec(body);
      if (!m) fail(msgid);
      const src: FwEndpoint = { addr: addr(m[2]), port: Number(m[3]) };
      const dst: FwEndpoint = { addr: addr(m[5]), port: Number(m[6]) };
      ifaceOf(src, m[1]);
      ifaceOf(dst, m[4]);
      const out: AsaFields = { kind: 'deny-no-conn', proto: 'tcp', src, dst, iface: m[8]!.trim() };
      flagsInto(out, m[7] ?? '');
      return out;
    }
    case 106001: {
      const m = RE_106001.exec(body);
      if (!m) fail(msgid);
      const out: AsaFields = {
        kind: 'deny', proto: 'tcp', src: { addr: addr(m[2]), port: Number(m[3]) },
        dst: { addr: addr(m[4]), port: Number(m[5]) }, iface: m[7]!.trim(),
      };
      flagsInto(out, m[6] ?? '');
      return out;
    }
    case 106023: {
      const m = RE_106023.exec(body);
      if (!m) fail(msgid);
      const src: FwEndpoint = { addr: addr(m[3]) };
      const dst: FwEndpoint = { addr: addr(m[7]) };
      ifaceOf(src, m[2]);
      ifaceOf(dst, m[6]);
      if (m[4] !== undefined) src.port = Number(m[4]);
      if (m[8] !== undefined) dst.port = Number(m[8]);
      const su = groups(m[5])[0];
      const du = groups(m[9])[0];
      if (su !== undefined) src.user = su;
      if (du !== undefined) dst.user = du;
      const out: AsaFields = { kind: 'deny', proto: m[1]!.toLowerCase(), src, dst, acl: m[12]!, aclAction: 'denied' };
      if (m[10] !== undefined) {
        out.icmpType = Number(m[10]);
        out.icmpCode = Number(m[11]);
      }
      if (m[13] !== undefined) out.hashes = [m[13], m[14]!];
      return out;
    }
    case 106100: {
      const m = RE_106100.exec(body);
      if (!m) fail(msgid);
      const src: FwEndpoint = { iface: m[4]!.trim(), addr: addr(m[5]), port: Number(m[6]) };
      const dst: FwEndpoint = { iface: m[8]!.trim(), addr: addr(m[9]), port: Number(m[10]) };
      const su = groups(m[7])[0];
      const du = groups(m[11])[0];
      if (su !== undefined) src.user = su;
      if (du !== undefined) dst.user = du;
      const action = m[2]!.toLowerCase() as 'permitted' | 'denied' | 'est-allowed';
      const out: AsaFields = {
        kind: action === 'denied' ? 'deny' : 'permit', proto: m[3]!.toLowerCase(), src, dst, acl: m[1]!,
        aclAction: action, hitCount: Number(m[12]), intervalSec: m[14] === undefined ? 0 : Number(m[14]),
      };
      if (m[15] !== undefined) out.hashes = [m[15], m[16]!];
      // Cisco: for ICMP the numbers in the port places are the message type and code
      if (out.proto === 'icmp' || out.proto === 'icmp6') {
        out.icmpType = src.port!;
        out.icmpCode = dst.port!;
        delete src.port;
        delete dst.port;
      }
      return out;
    }
    case 710003: {
      const m = RE_710003.exec(body);
      if (!m) fail(msgid);
      const src: FwEndpoint = { addr: addr(m[2]) };
      portOrService(src, m[3]!);
      const dst: FwEndpoint = { iface: m[4]!.trim(), addr: addr(m[5]) };
      portOrService(dst, m[6]!);
      return { kind: 'deny', proto: m[1]!.toLowerCase(), src, dst };
    }
    case 609001:
    case 609002: {
      const m = (msgid === 609001 ? RE_609001 : RE_609002).exec(body);
      if (!m) fail(msgid);
      const src: FwEndpoint = { addr: addr(m[2]) };
      ifaceOf(src, m[1]);
      const u = groups(m[3])[0];
      if (u !== undefined) src.user = u;
      if (msgid === 609001) return { kind: 'local-host-built', src };
      return { kind: 'local-host-teardown', src, duration: hms(m[4], m[5], m[6]) };
    }
    case 305011:
    case 305012: {
      const m = RE_NAT.exec(body);
      if (!m) fail(msgid);
      const built = m[1]!.toLowerCase() === 'built';
      if (built !== (msgid === 305011)) fail(msgid);
      const src: FwEndpoint = { addr: addr(m[5]), port: Number(m[6]) };
      const dst: FwEndpoint = { addr: addr(m[9]), port: Number(m[10]) };
      ifaceOf(src, m[4]);
      ifaceOf(dst, m[8]);
      const su = groups(m[7])[0];
      if (su !== undefined) src.user = su;
      const out: AsaFields = {
        kind: built ? 'nat-built' : 'nat-teardown', natType: m[2]!.toLowerCase() as 'dynamic' | 'static',
        proto: m[3]!.toLowerCase(), src, dst,
      };
      if (m[12] !== undefined) out.duration = hms(m[12], m[13], m[14]);
      else if (!built) fail(msgid);
      return out;
    }
    case 430002:
    case 430003: {
      const r = parseFtdEvent(msgid, body);
      if ('error' in r) throw new BadBody(r.error);
      return r;
    }
    default:
      return { kind: 'other' };
  }
}
