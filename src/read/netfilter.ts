/**
 * Linux netfilter: the kernel's packet log lines (iptables `LOG`, nftables `log`, and NFLOG
 * written out by ulogd), the kernel's own conntrack complaints, and `conntrack -E` events
 * (conntrack.ts). The packet line, as nf_log_syslog.c writes it after the rule's prefix:
 *
 *   PREFIX IN=eth0 OUT=eth1 MAC=... SRC=a DST=b LEN= TOS= PREC= TTL= ID= DF PROTO=TCP SPT= DPT= [SEQ= ACK=] WINDOW= RES=0x00 ACK RST URGP=0 [OPT (...)]
 *   PREFIX IN= OUT=eth1 SRC=2001:0db8:... DST=... LEN= TC= HOPLIMIT= FLOWLBL= PROTO=TCP ...
 *
 * in any envelope: a bare `dmesg` line (`[ 1234.567890] `, no wall-clock time), `dmesg -T`
 * (`[Sun Dec  6 04:26:30 2026] `), `dmesg --time-format iso`, a syslog or journal line with the
 * `kernel:` tag (RFC 3164 / 5424), ulogd's `ulogd[pid]:` tag or its own file (`Dec 06 04:26:30
 * host PREFIX IN=`). The prefix is the rule's `--log-prefix` / `log prefix` as written, glued to
 * `IN=` (the kernel adds no space of its own).
 *
 * A log line says nothing of the verdict; the rule does, and only its prefix is in the line. A
 * prefix with DROP, REJECT, BLOCK, DENY or INVALID in it (any case), or a word given with
 * --fw-drop-prefix, is read as a drop:
 *   - a SYN without ACK: 'deny' (a connection attempt refused by policy);
 *   - any other TCP packet (RST, FIN, data, ACK, SYN-ACK): 'deny-no-conn'. A stateful ruleset
 *     accepts `ct state established,related` first, so such a packet reached a drop only because
 *     no conntrack entry matched it: the 106015 case of the ASA (which logs SYN-ACKs the same way);
 *   - not TCP: 'deny-no-conn' when the prefix says INVALID, else 'deny'.
 * Without a drop word the line is kept as 'other'. The prefix is kept as the event's rule (`acl`).
 *
 * The conntrack complaints (sysctl net.netfilter.nf_conntrack_log_invalid = 6 or 255) are packet
 * lines whose prefix is `nf_ct_proto_6: <why> ` (kernels 4.x-6.x; `nf_ct_tcp: ` before), e.g.
 * `invalid new`, `invalid rst`, `SEQ is over upper bound 3520 (over the window of the receiver)`:
 * the packet is INVALID to conntrack ('deny-no-conn', the message as its reason with numbers of
 * 3 digits and more written `#`), except for the messages that say the packet was let through
 * (`... ignored ...`, `... bytes more than expected`): kind 'other'.
 */
import { ACK, CWR, ECE, FIN, PSH, RST, SYN, URG } from '../model.js';
import type { AsaFields, FwEndpoint } from './asa.js';
import { CONNTRACK_REASONS, bodyOf, decimal, nfAddr, parseConntrack } from './conntrack.js';
import { validStamp } from './envelope-scan.js';
import type { Stamp } from './syslog-envelope.js';
import type { ReaderOptions, VendorLine, VendorReader } from './vendors.js';

/** A packet log line (`IN=... OUT=`) or a conntrack event. */
export const NETFILTER_TAG = /IN=\S* OUT=|\[(?:NEW|UPDATE|DESTROY)\]\s/;

const DROP_WORDS = ['DROP', 'REJECT', 'BLOCK', 'DENY', 'INVALID'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Whether a log prefix names a drop (the built-in words or --fw-drop-prefix ones, any case). */
export function dropPrefix(prefix: string, more: readonly string[] | undefined): boolean {
  if (prefix === '') return false;
  const up = prefix.toUpperCase();
  for (const w of DROP_WORDS) if (up.includes(w)) return true;
  if (more) for (const w of more) if (w !== '' && up.includes(w.toUpperCase())) return true;
  return false;
}

/** dmesg --time-format iso: `2026-12-06T04:26:30,934070+00:00` (a comma before the fraction). */
const DMESG_ISO = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d),(\d{1,9})([+-])(\d\d):?(\d\d) /;
/** dmesg -T: `[Sun Dec  6 04:26:30 2026]` */
const DMESG_CTIME = /^\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4})\] ?/;
/** The end of a `[ 1234.567890]` at i (seconds since boot: no wall-clock time) and one space after it, -1 if none. */
function monoEnd(line: string, i: number): number {
  let k = i + 1;
  while (line.charCodeAt(k) === 32) k++;
  const d = k;
  while (line.charCodeAt(k) >= 48 && line.charCodeAt(k) <= 57) k++;
  if (k === d || line.charCodeAt(k) !== 46) return -1;
  const f = ++k;
  while (line.charCodeAt(k) >= 48 && line.charCodeAt(k) <= 57) k++;
  if (k === f || line.charCodeAt(k) !== 93) return -1;
  return line.charCodeAt(k + 1) === 32 ? k + 2 : k + 1;
}
/** a syslog stamp then a host, ulogd's own file: `Dec 06 04:26:30 host ` / ISO 8601 with a `.` fraction */
const STAMP_HOST = /^(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d(?: \d{4})? \d\d:\d\d:\d\d|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) +\S+ /;
const ULOGD = /\bulogd2?(?:\[\d+\])?: /;

interface Head {
  /** where the prefix starts */
  at: number;
  stamp?: Stamp;
  /** from a `<PRI>` */
  severity?: number;
}

/** Where the kernel's message starts in a line whose `IN=` is at p, and the time a dmesg form gives. */
function kernelHead(line: string, p: number): Head {
  let i = 0;
  const h: Head = { at: 0 };
  if (line.charCodeAt(0) === 60) {
    const gt = line.indexOf('>');
    const pri = gt > 0 && gt < 5 ? decimal(line.slice(1, gt)) : NaN;
    if (!Number.isNaN(pri)) {
      h.severity = pri & 7;
      i = gt + 1;
    }
  }
  let k = line.indexOf('kernel: ', i);
  const rfc5424 = k < 0 || k >= p;
  if (rfc5424) k = line.indexOf(' kernel - ', i) + 1;
  if (k > 0 && k < p) {
    // syslog / journal tag; RFC 5424: APP-NAME `kernel`, then PROCID, MSGID and structured data
    i = k + 8;
    if (rfc5424) {
      i = line.indexOf(' ', line.indexOf(' ', k + 7) + 1) + 1; // past PROCID and MSGID
      i = line.charCodeAt(i) === 91 ? line.indexOf('] ', i) + 2 : line.indexOf(' ', i) + 1;
      if (i <= 0) i = p;
    }
  } else {
    const rest = i === 0 ? line : line.slice(i);
    let m: RegExpExecArray | null;
    if ((m = DMESG_ISO.exec(rest))) {
      const off = (Number(m[9]) * 60 + Number(m[10])) * (m[8] === '-' ? -1 : 1);
      h.stamp = { y: +m[1]!, mo: +m[2]! - 1, d: +m[3]!, h: +m[4]!, mi: +m[5]!, s: +m[6]!, us: Number((m[7]! + '00000').slice(0, 6)), offsetMin: off };
      i += m[0].length;
    } else if ((m = DMESG_CTIME.exec(rest))) {
      h.stamp = { y: +m[6]!, mo: MONTHS.indexOf(m[1]!), d: +m[2]!, h: +m[3]!, mi: +m[4]!, s: +m[5]!, us: 0 };
      i += m[0].length;
    } else {
      const u = ULOGD.exec(line);
      if (u !== null && u.index < p) i = u.index + u[0].length;
      else if ((m = STAMP_HOST.exec(rest))) i += m[0].length;
    }
  }
  while (line.charCodeAt(i) === 32) i++;
  // the monotonic stamp of a kernel line (`kernel: [ 1234.567890] `, or a bare dmesg line)
  if (line.charCodeAt(i) === 91 && i < p) {
    const e = monoEnd(line, i);
    if (e > 0) i = e;
  }
  h.at = i > p ? p : i;
  return h;
}

/** The index after the `]` that closes the `[` at i (ICMP errors quote the packet in brackets). */
function skipBracket(line: string, i: number): number {
  let depth = 0;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 91) depth++;
    else if (c === 93 && --depth === 0) return i + 1;
  }
  return i;
}

/** TCP flag bit of a three-letter word as the kernel writes it, 0 for none. */
function flagBit(line: string, i: number): number {
  const a = line.charCodeAt(i), b = line.charCodeAt(i + 1), c = line.charCodeAt(i + 2);
  switch (a) {
    case 65: return b === 67 && c === 75 ? ACK : 0; // ACK
    case 80: return b === 83 && c === 72 ? PSH : 0; // PSH
    case 82: return b === 83 && c === 84 ? RST : 0; // RST
    case 83: return b === 89 && c === 78 ? SYN : 0; // SYN
    case 70: return b === 73 && c === 78 ? FIN : 0; // FIN
    case 85: return b === 82 && c === 71 ? URG : 0; // URG
    case 69: return b === 67 && c === 69 ? ECE : 0; // ECE
    case 67: return b === 87 && c === 82 ? CWR : 0; // CWR
  }
  return 0;
}

const PROTOS: Readonly<Record<string, string>> = { TCP: 'tcp', UDP: 'udp', ICMP: 'icmp', ICMPv6: 'icmp6', UDPLITE: 'udplite', SCTP: 'sctp' };

/** A packet line whose `IN=` is at p. */
function parsePacket(line: string, p: number, opts: ReaderOptions): VendorLine | { error: string } {
  const n = line.length;
  let inIf = '', outIf = '', src = '', dst = '', proto = '', spt = '', dpt = '', type = '', code = '';
  let flags = 0, fStart = -1, fEnd = -1;
  let tcp = false;
  let i = p;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 32) { i++; continue; }
    if (c === 91) { i = skipBracket(line, i); continue; }
    let j = line.indexOf(' ', i);
    if (j < 0) j = n;
    let eq = line.indexOf('=', i);
    if (eq < 0 || eq > j) eq = -1;
    if (eq < 0) {
      if (j - i === 3) {
        if (c === 79 && line.charCodeAt(j + 1) === 40) { // OPT (...)
          const close = line.indexOf(')', j);
          i = close < 0 ? n : close + 1;
          continue;
        }
        const b = tcp ? flagBit(line, i) : 0;
        if (b) {
          flags |= b;
          if (fStart < 0) fStart = i;
          fEnd = j;
        }
      }
      i = j;
      continue;
    }
    const kl = eq - i;
    if (kl === 2) {
      if (c === 73 && line.charCodeAt(i + 1) === 78) inIf = line.slice(eq + 1, j); // IN
    } else if (kl === 3) {
      const c1 = line.charCodeAt(i + 1), c2 = line.charCodeAt(i + 2);
      if (c === 83) { // SRC, SPT
        if (c1 === 82 && c2 === 67) { if (src === '') src = line.slice(eq + 1, j); } else if (c1 === 80 && c2 === 84) { if (spt === '') spt = line.slice(eq + 1, j); }
      } else if (c === 68) { // DST, DPT
        if (c1 === 83 && c2 === 84) { if (dst === '') dst = line.slice(eq + 1, j); } else if (c1 === 80 && c2 === 84) { if (dpt === '') dpt = line.slice(eq + 1, j); }
      } else if (c === 79 && c1 === 85 && c2 === 84) outIf = line.slice(eq + 1, j); // OUT
    } else if (kl === 5) {
      if (proto === '' && line.startsWith('PROTO', i)) {
        proto = line.slice(eq + 1, j);
        tcp = proto === 'TCP';
      }
    } else if (kl === 4 && proto !== '' && !tcp) {
      if (type === '' && line.startsWith('TYPE', i)) type = line.slice(eq + 1, j);
      else if (code === '' && line.startsWith('CODE', i)) code = line.slice(eq + 1, j);
    }
    i = j;
  }
  const head = kernelHead(line, p);
  if (head.stamp !== undefined && !validStamp(head.stamp)) return { error: `impossible timestamp "${line.slice(0, head.at).trim()}"` };
  const prefix = line.slice(head.at, p);
  if (src === '' || dst === '') {
    // an ARP or bridge-level line (nf_log_arp, nf_log_netdev): no IP packet to tell of
    if (line.includes('MACSRC=') || line.includes(' ARP ')) return done(line, head, 4, { kind: 'other' });
    return { error: 'packet log line without SRC= and DST=' };
  }
  const sa = nfAddr(src), da = nfAddr(dst);
  if (sa === null || da === null) return { error: `not an IP address: "${sa === null ? src : dst}"` };
  const s: FwEndpoint = { addr: sa }, d: FwEndpoint = { addr: da };
  if (inIf !== '') s.iface = inIf;
  if (outIf !== '') d.iface = outIf;
  if (spt !== '' || dpt !== '') {
    s.port = decimal(spt);
    d.port = decimal(dpt);
    if (Number.isNaN(s.port) || Number.isNaN(d.port)) return { error: `bad port in "SPT=${spt} DPT=${dpt}"` };
  }
  const fields: AsaFields = { kind: 'other', proto: PROTOS[proto] ?? proto.toLowerCase(), src: s, dst: d };
  const iface = inIf || outIf;
  if (iface !== '') fields.iface = iface;
  if (tcp) {
    fields.tcpFlags = flags;
    if (fStart >= 0) fields.flagText = line.slice(fStart, fEnd);
  } else if (type !== '') {
    fields.icmpType = decimal(type);
    if (code !== '') fields.icmpCode = decimal(code);
  }
  let severity = 4;
  if (prefix.startsWith('nf_ct_')) {
    // the kernel's conntrack complaint: `nf_ct_proto_6: invalid new `
    severity = 5;
    const colon = prefix.indexOf(': ');
    const why = (colon < 0 ? '' : prefix.slice(colon + 2)).trim().replace(/\d{3,}/g, '#');
    if (why !== '') fields.reason = why;
    fields.kind = /ignored|more than expected|killing out of sync/.test(why) ? 'other' : 'deny-no-conn';
  } else {
    const rule = prefix.trim();
    if (rule !== '') fields.acl = rule;
    if (dropPrefix(prefix, opts.dropPrefixes)) {
      if (tcp) fields.kind = (flags & (SYN | ACK)) === SYN ? 'deny' : 'deny-no-conn';
      else fields.kind = prefix.toUpperCase().includes('INVALID') ? 'deny-no-conn' : 'deny';
    }
  }
  return done(line, head, severity, fields);
}

function done(line: string, head: Head, severity: number, fields: AsaFields): VendorLine {
  const out: VendorLine = { vendor: 'netfilter', msgid: 0, severity: head.severity ?? severity, at: head.at, body: bodyOf(line, head.at), fields };
  if (head.stamp) out.stamp = head.stamp;
  return out;
}

/** One line as netfilter's: a packet log line, a conntrack complaint or a conntrack event; null: none. */
export function parseNetfilter(line: string, opts: ReaderOptions = {}): VendorLine | { error: string } | null {
  // conntrack's own lines start with their `-o timestamp` stamp or with the indented event
  const c0 = line.charCodeAt(0);
  if ((c0 === 91 && line.charCodeAt(1) >= 48 && line.charCodeAt(1) <= 57) || c0 === 32) {
    const ct = parseConntrack(line);
    if (ct !== null) return ct;
  }
  const o = line.indexOf(' OUT=');
  if (o > 0) {
    // IN=<iface> right before OUT= (the interface name has no spaces)
    const p = line.lastIndexOf('IN=', o);
    if (p >= 0 && line.indexOf(' ', p) === o) return parsePacket(line, p, opts);
  }
  return parseConntrack(line);
}

export const NETFILTER_READER: VendorReader = {
  vendor: 'netfilter',
  tag: NETFILTER_TAG,
  parse: parseNetfilter,
  reasons: CONNTRACK_REASONS,
};
