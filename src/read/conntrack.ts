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

const EVENTS = /\[(NEW|UPDATE|DESTROY)\]\s/;
const PROTOS: Readonly<Record<string, string>> = { icmpv6: 'icmp6', 'ipv6-icmp': 'icmp6' };

interface Tuple {
  src?: string;
  dst?: string;
  sport?: string;
  dport?: string;
  type?: string;
  code?: string;
  bytes?: string;
}

/** One `conntrack -E` line; null when it is none. */
export function parseConntrack(line: string): VendorLine | { error: string } | null {
  const m = EVENTS.exec(line);
  if (m === null) return null;
  const at = m.index;
  const ev = m[1]!;
  // `-o timestamp`: [seconds.micros] right before the event
  let epoch: number | undefined;
  let k = at - 1;
  while (k >= 0 && (line.charCodeAt(k) === 32 || line.charCodeAt(k) === 9)) k--;
  if (k > 0 && line.charCodeAt(k) === 93) {
    const open = line.lastIndexOf('[', k);
    const v = open >= 0 ? Number(line.slice(open + 1, k)) : NaN;
    if (Number.isFinite(v) && v > 0) epoch = v;
  }
  const toks = line.slice(at + m[0].length).trim().split(/\s+/);
  let i = 0;
  if (toks[0] === 'ipv4' || toks[0] === 'ipv6') i = 2; // -o extended: layer 3 name and number first
  const protoName = (toks[i++] ?? '').toLowerCase();
  if (protoName === '' || Number.isNaN(decimal(toks[i] ?? ''))) return { error: `conntrack ${ev} event without protocol name and number` };
  i++;
  let state: string | undefined;
  const t: Tuple[] = [{}, {}];
  let cur = -1;
  let id: string | undefined;
  let delta: string | undefined;
  let prevKey = '';
  for (; i < toks.length; i++) {
    const tok = toks[i]!;
    if (tok.charCodeAt(0) === 91) { // [UNREPLIED], [ASSURED], [start=Sun Dec  6 ...] (-o ktimestamp)
      while (i < toks.length && !toks[i]!.endsWith(']')) i++;
      continue;
    }
    const eq = tok.indexOf('=');
    if (eq < 0) {
      // before the first tuple: the entry's timeout in seconds (NEW, UPDATE), then its state
      if (cur < 0 && Number.isNaN(decimal(tok)) && /^[A-Z_0-9]+$/.test(tok)) state = tok;
      continue;
    }
    const key = tok.slice(0, eq), val = tok.slice(eq + 1);
    if (key === 'src') {
      if (++cur > 1) return { error: 'conntrack event with more than two tuples' };
      t[cur]!.src = val;
    } else if (cur >= 0 && (key === 'dst' || key === 'sport' || key === 'dport' || key === 'type' || key === 'code' || key === 'bytes')) {
      t[cur]![key] = val;
    } else if (key === 'id') {
      if (prevKey !== 'code') id = val; // (an ICMP tuple's own id follows its code)
    } else if (key === 'delta-time') delta = val;
    prevKey = key;
  }
  const o = t[0]!, r = t[1]!;
  if (o.src === undefined || o.dst === undefined) return { error: `conntrack ${ev} event without src= and dst=` };
  const osrc = nfAddr(o.src), odst = nfAddr(o.dst);
  if (osrc === null || odst === null) return { error: `not an IP address: "${osrc === null ? o.src : o.dst}"` };
  const proto = PROTOS[protoName] ?? protoName;
  const src: FwEndpoint = { addr: osrc };
  const dst: FwEndpoint = { addr: odst };
  const ports = o.sport !== undefined && o.dport !== undefined;
  if (ports) {
    src.port = decimal(o.sport!);
    dst.port = decimal(o.dport!);
    if (Number.isNaN(src.port) || Number.isNaN(dst.port)) return { error: `bad port in "sport=${o.sport} dport=${o.dport}"` };
  }
  if (r.src !== undefined && r.dst !== undefined) {
    const rsrc = nfAddr(r.src), rdst = nfAddr(r.dst);
    if (rsrc === null || rdst === null) return { error: `not an IP address: "${rsrc === null ? r.src : r.dst}"` };
    const rsport = ports && r.sport !== undefined ? decimal(r.sport) : dst.port;
    const rdport = ports && r.dport !== undefined ? decimal(r.dport) : src.port;
    // SNAT: the server answers another address / port than the client's own
    if (rdst !== osrc || rdport !== src.port) {
      src.mappedAddr = rdst;
      if (ports && rdport !== undefined && !Number.isNaN(rdport)) src.mappedPort = rdport;
    }
    // DNAT: the server is not the address the client sent to; keep the server's own as the real one
    if (rsrc !== odst || rsport !== dst.port) {
      dst.mappedAddr = odst;
      if (dst.port !== undefined) dst.mappedPort = dst.port;
      dst.addr = rsrc;
      if (ports && rsport !== undefined && !Number.isNaN(rsport)) dst.port = rsport;
    }
  }
  const fields: AsaFields = {
    kind: ev === 'NEW' ? 'built' : ev === 'DESTROY' ? 'teardown' : 'other',
    proto, src, dst, initiator: 'src',
  };
  const n = id !== undefined ? decimal(id) : NaN;
  fields.connId = Number.isNaN(n) ? tupleId(`${proto} ${osrc} ${o.sport ?? o.type ?? ''} ${odst} ${o.dport ?? o.code ?? ''}`) : n;
  if (proto.startsWith('icmp') && o.type !== undefined) {
    fields.icmpType = decimal(o.type);
    if (o.code !== undefined) fields.icmpCode = decimal(o.code);
  }
  if (ev === 'DESTROY') {
    fields.reason = state ?? 'destroyed';
    if (o.bytes !== undefined || r.bytes !== undefined) fields.bytes = (Number(o.bytes ?? 0) || 0) + (Number(r.bytes ?? 0) || 0);
    if (delta !== undefined && !Number.isNaN(decimal(delta))) fields.duration = decimal(delta);
  }
  const out: VendorLine = { vendor: 'netfilter', msgid: 0, severity: 6, at, body: stripControl(line.slice(at)).trim(), fields };
  if (epoch !== undefined) out.epoch = epoch;
  return out;
}
