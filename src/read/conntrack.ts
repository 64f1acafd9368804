/**
 * Linux conntrack event lines, as `conntrack -E` (conntrack-tools) prints them, with or without
 * `-o timestamp` (`[1701234567.123456]` first: the time the tool got the event), `-o id`
 * (`id=N` last: the kernel's id of the entry) and `-o extended` (`ipv4 2` first):
 *
 *       [NEW] tcp      6 120 SYN_SENT src=A dst=B sport=P dport=Q [UNREPLIED] src=B dst=A sport=Q dport=P
 *    [UPDATE] tcp      6 60 SYN_RECV src=A dst=B sport=P dport=Q src=B dst=A sport=Q dport=P
 *   [DESTROY] tcp      6 LAST_ACK src=A dst=B sport=P dport=Q packets=7 bytes=383 src=B dst=A sport=Q dport=P packets=5 bytes=282 [ASSURED] delta-time=2 id=N
 *
 * NEW is a session start ('built'), DESTROY a session end ('teardown'), UPDATE (a state change)
 * kind 'other'. The first tuple is the original direction (its `src` is the client), the second the
 * reply; a reply tuple that is not the original turned round is NAT: the client's address as the
 * server sees it (SNAT) or the server's own address behind the one the client used (DNAT).
 * `packets=`/`bytes=` come with nf_conntrack_acct=1, `delta-time=` (seconds) with
 * nf_conntrack_timestamp=1. The kernel sends the TCP state with DESTROY (checked on 6.18); it is
 * the teardown reason (the table below), else the reason is `destroyed`. Without `id=` the id is a
 * hash of the protocol and the original tuple, so that NEW and DESTROY of one entry still join.
 */
import { isIPv6 } from 'node:net';
import { parseIp, ipv6ToString } from '../decode/bytes.js';
import type { AsaFields, FwEndpoint } from './asa.js';
import { v4Number } from './fw-chunk.js';
import { stripControl } from './syslog-envelope.js';
import type { ReasonTable, VendorLine } from './vendors.js';

/** The kernel's TCP conntrack states as DESTROY events name them: the state the entry ended in. */
export const CONNTRACK_REASONS: ReasonTable = {
  TIME_WAIT: {
    teardown: 'graceful', side: 'none',
    meaning: 'both ends sent FIN and the last ACK went through; conntrack removed the entry when its TIME_WAIT time ran out (nf_conntrack_tcp_timeout_time_wait, 120 s by default)',
  },
  LAST_ACK: {
    teardown: 'graceful', side: 'none',
    meaning: 'both ends sent FIN but the last ACK was not seen before the LAST_ACK time ran out (…_timeout_last_ack, 30 s by default); any packet of the connection after this, like a late RST, is INVALID to conntrack',
  },
  CLOSE: {
    teardown: 'abort', side: 'none',
    meaning: 'a RST went through; conntrack keeps such an entry for …_timeout_close (10 s by default), then removes it',
  },
  CLOSE_WAIT: {
    teardown: 'timeout', side: 'none',
    meaning: 'one end sent FIN and it was acknowledged, the other end never sent its own; removed when …_timeout_close_wait (60 s by default) ran out',
  },
  FIN_WAIT: {
    teardown: 'timeout', side: 'none',
    meaning: 'one end sent FIN, and nothing finished the close before …_timeout_fin_wait (120 s by default) ran out',
  },
  ESTABLISHED: {
    teardown: 'timeout', side: 'none',
    meaning: 'removed while established: idle longer than …_timeout_established (5 days by default), or deleted by hand (conntrack -D, -F) or pushed out of a full table',
  },
  SYN_SENT: {
    teardown: 'unanswered', side: 'none',
    meaning: 'the SYN went through but no SYN-ACK came back before …_timeout_syn_sent (120 s by default) ran out',
  },
  SYN_SENT2: {
    teardown: 'unanswered', side: 'none',
    meaning: 'both ends sent SYN (simultaneous open) and the handshake never completed',
  },
  SYN_RECV: {
    teardown: 'unanswered', side: 'none',
    meaning: 'the SYN-ACK went through but the handshake\'s last ACK never came before …_timeout_syn_recv (60 s by default) ran out',
  },
  NONE: { teardown: 'open', side: 'none', meaning: 'conntrack had not classified the connection yet when it removed it' },
  destroyed: {
    teardown: 'open', side: 'none',
    meaning: 'conntrack removed the entry and the event does not say in which state (not TCP, or a kernel that sends no TCP state with DESTROY)',
  },
};

/**
 * An address as rsttui writes it: IPv4 checked, IPv6 in its short form (the kernel's log writes
 * every IPv6 address in full, `2001:0db8:0000:...`). null when not an address.
 */
export function nfAddr(s: string): string | null {
  if (s.indexOf(':') < 0) return v4Number(s) >= 0 ? s : null;
  if (s.length !== 39) return isIPv6(s) ? s.toLowerCase() : null;
  const b = parseIp(s);
  return b === null || b.length !== 16 ? null : ipv6ToString(b, 0);
}

/** A port or other small decimal number, NaN when not one. */
export function decimal(s: string): number {
  if (s.length === 0 || s.length > 10) return NaN;
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/** The decimal number in s[i, j) (up to 15 digits), NaN when it is none. */
export function decimalAt(s: string, i: number, j: number): number {
  if (j <= i || j - i > 15) return NaN;
  let v = 0;
  for (; i < j; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

const CONTROL = /[^\x20-\x7e]/g;

/** The message from `at` as shown: control characters stripped, trimmed (a copy only where needed). */
export function bodyOf(line: string, at: number): string {
  CONTROL.lastIndex = at;
  if (CONTROL.test(line)) {
    // (one tab, as after conntrack's `-o timestamp` stamp: a space, as stripControl makes it)
    const k = CONTROL.lastIndex - 1;
    if (line.charCodeAt(k) === 9 && !CONTROL.test(line) && line.charCodeAt(line.length - 1) !== 32 && line.charCodeAt(at) !== 32) {
      return (at === 0 ? line : line.slice(at)).replace('\t', ' ');
    }
    return stripControl(line.slice(at)).trim();
  }
  let e = line.length;
  while (e > at && line.charCodeAt(e - 1) === 32) e--;
  while (at < e && line.charCodeAt(at) === 32) at++;
  return at === 0 && e === line.length ? line : line.slice(at, e);
}

/** A 52-bit id for an entry named by its original tuple (>= 2^51: never one of the kernel's 32-bit ids). */
export function tupleId(key: string): number {
  let a = 0x811c9dc5, b = 0x9747b28c;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (0x80000 | (b & 0x7ffff)) * 0x100000000 + (a >>> 0);
}

const PROTOS: Readonly<Record<string, string>> = { icmpv6: 'icmp6', 'ipv6-icmp': 'icmp6' };
const EVENT_NAMES = ['NEW', 'UPDATE', 'DESTROY'] as const;

/** (scratch of eventAt: which event it found) */
let evKind = 0;

/** Where `[NEW] `, `[UPDATE] ` or `[DESTROY] ` starts (its `[`), -1 for none; sets evKind. */
function eventAt(line: string): number {
  let b = line.indexOf('[');
  // (the marker is the first bracket, or comes after `[seconds]` or a syslog tag's `[pid]`)
  for (let tries = 0; b >= 0 && tries < 4; tries++) {
    const c = line.charCodeAt(b + 1);
    if (c === 78 && line.startsWith('NEW] ', b + 1)) { evKind = 0; return b; }
    if (c === 85 && line.startsWith('UPDATE] ', b + 1)) { evKind = 1; return b; }
    if (c === 68 && line.startsWith('DESTROY] ', b + 1)) { evKind = 2; return b; }
    b = line.indexOf('[', b + 1);
  }
  return -1;
}

/** One `conntrack -E` line; null when it is none. */
export function parseConntrack(line: string): VendorLine | { error: string } | null {
  const at = eventAt(line);
  if (at < 0) return null;
  const kind = evKind;
  const ev = EVENT_NAMES[kind];
  const n = line.length;
  // `-o timestamp`: [seconds.micros] right before the event
  let epoch: number | undefined;
  let stampAt = -1;
  let k = at - 1;
  while (k >= 0 && (line.charCodeAt(k) === 32 || line.charCodeAt(k) === 9)) k--;
  if (k > 0 && line.charCodeAt(k) === 93) {
    const open = line.lastIndexOf('[', k);
    const dot = line.indexOf('.', open);
    // seconds.micros, read in place
    const v = open < 0 ? NaN : dot > open && dot < k ? decimalAt(line, open + 1, dot) + decimalAt(line, dot + 1, k) / 10 ** (k - dot - 1) : decimalAt(line, open + 1, k);
    if (Number.isFinite(v) && v > 0) {
      epoch = v;
      stampAt = open;
    }
  }
  // the words: [ipv4 2] proto-name proto-number [timeout] [STATE] tuple [flags] tuple [flags] extras
  let i = line.indexOf(']', at) + 1;
  let word = 0;
  let protoName = '', state: string | undefined;
  let cur = -1, prev = 0;
  let osrc = '', odst = '', rsrc = '', rdst = '';
  // numbers: -1 absent, NaN not a number (then `bad` holds the text)
  let osp = -1, odp = -1, rsp = -1, rdp = -1, otype = -1, ocode = -1, obytes = 0, rbytes = 0, bytes = false;
  let id = -1, delta = -1;
  let bad = '';
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) { i++; continue; }
    if (c === 91) { // [UNREPLIED], [ASSURED], [start=Sun Dec  6 ...] (-o ktimestamp)
      const close = line.indexOf(']', i);
      i = close < 0 ? n : close + 1;
      continue;
    }
    let j = line.indexOf(' ', i);
    if (j < 0) j = n;
    let eq = line.indexOf('=', i);
    if (eq > j) eq = -1;
    if (eq < 0) {
      if (word === 0 && (line.startsWith('ipv4 ', i) || line.startsWith('ipv6 ', i))) word = -2; // -o extended
      else if (word === 0) protoName = line.startsWith('tcp ', i) ? 'tcp' : line.slice(i, j).toLowerCase();
      else if (word === 1 && Number.isNaN(decimalAt(line, i, j))) return { error: `conntrack ${ev} event without protocol name and number` };
      // before the first tuple: the entry's timeout in seconds (NEW, UPDATE), then its state (kept for DESTROY)
      else if (word > 1 && cur < 0 && kind === 2 && (c < 48 || c > 57)) state = line.slice(i, j);
      word++;
      i = j;
      continue;
    }
    if (word < 2) return { error: `conntrack ${ev} event without protocol name and number` };
    const kl = eq - i;
    const v0 = eq + 1;
    if (kl === 3) {
      const c1 = line.charCodeAt(i + 1);
      if (c === 115 && c1 === 114) { // src
        if (++cur > 1) return { error: 'conntrack event with more than two tuples' };
        if (cur === 0) osrc = line.slice(v0, j); else rsrc = line.slice(v0, j);
      } else if (c === 100 && c1 === 115) { // dst
        if (cur === 0) odst = line.slice(v0, j); else if (cur === 1) rdst = line.slice(v0, j);
      }
    } else if (kl === 5) {
      const c1 = line.charCodeAt(i + 1);
      if ((c === 115 || c === 100) && c1 === 112) { // sport, dport
        const v = decimalAt(line, v0, j);
        if (Number.isNaN(v) && bad === '') bad = line.slice(i, j);
        if (cur === 0) { if (c === 115) osp = v; else odp = v; } else if (cur === 1) { if (c === 115) rsp = v; else rdp = v; }
      } else if (c === 98) { // bytes
        bytes = true;
        if (cur === 0) obytes = decimalAt(line, v0, j) || 0; else if (cur === 1) rbytes = decimalAt(line, v0, j) || 0;
      }
    } else if (kl === 2 && c === 105 && line.charCodeAt(i + 1) === 100) { // id: the entry's, unless an ICMP tuple's own (after code=)
      if (prev !== 4) id = decimalAt(line, v0, j);
    } else if (kl === 4 && cur === 0) {
      if (c === 116) otype = decimalAt(line, v0, j);
      else if (c === 99) ocode = decimalAt(line, v0, j);
    } else if (kl === 10 && c === 100 && line.startsWith('delta-time', i)) delta = decimalAt(line, v0, j);
    prev = kl === 4 && c === 99 ? 4 : 0;
    i = j;
  }
  if (protoName === '' || word < 2) return { error: `conntrack ${ev} event without protocol name and number` };
  if (osrc === '' || odst === '') return { error: `conntrack ${ev} event without src= and dst=` };
  const os = nfAddr(osrc), od = nfAddr(odst);
  if (os === null || od === null) return { error: `not an IP address: "${os === null ? osrc : odst}"` };
  const proto = PROTOS[protoName] ?? protoName;
  const src: FwEndpoint = { addr: os };
  const dst: FwEndpoint = { addr: od };
  if (bad !== '') return { error: `bad port in "${bad}"` };
  const ports = osp >= 0 && odp >= 0;
  if (ports) {
    src.port = osp;
    dst.port = odp;
  }
  if (rsrc !== '' && rdst !== '') {
    // (mostly the original turned round: no second look at the same text)
    const rs = rsrc === odst ? od : nfAddr(rsrc), rd = rdst === osrc ? os : nfAddr(rdst);
    if (rs === null || rd === null) return { error: `not an IP address: "${rs === null ? rsrc : rdst}"` };
    if (rsp < 0) rsp = odp;
    if (rdp < 0) rdp = osp;
    // SNAT: the server answers another address / port than the client's own
    if (rd !== os || rdp !== osp) {
      src.mappedAddr = rd;
      if (ports) src.mappedPort = rdp;
    }
    // DNAT: the server is not the address the client sent to; keep the server's own as the real one
    if (rs !== od || rsp !== odp) {
      dst.mappedAddr = od;
      if (ports) dst.mappedPort = odp;
      dst.addr = rs;
      if (ports) dst.port = rsp;
    }
  }
  const fields: AsaFields = {
    kind: kind === 0 ? 'built' : kind === 2 ? 'teardown' : 'other',
    proto, src, dst, initiator: 'src',
    connId: id >= 0 ? id : tupleId(`${proto} ${os} ${ports ? osp : otype} ${od} ${ports ? odp : ocode}`),
  };
  if (otype >= 0 && proto.startsWith('icmp')) {
    fields.icmpType = otype;
    if (ocode >= 0) fields.icmpCode = ocode;
  }
  if (kind === 2) {
    fields.reason = state ?? 'destroyed';
    if (bytes) fields.bytes = obytes + rbytes;
    if (delta >= 0) fields.duration = delta;
  }
  // a line that starts with its `-o timestamp` stamp is conntrack's output as a whole: no header to read
  let from = at;
  if (stampAt >= 0) {
    let w = 0;
    while (w < stampAt && (line.charCodeAt(w) === 32 || line.charCodeAt(w) === 9)) w++;
    if (w === stampAt) from = 0;
  }
  const out: VendorLine = { vendor: 'netfilter', msgid: 0, severity: 6, at: from, body: bodyOf(line, from), fields };
  if (epoch !== undefined) out.epoch = epoch;
  return out;
}
