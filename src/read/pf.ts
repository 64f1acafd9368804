/**
 * pfSense / OPNsense `filterlog` lines: the packet filter's log as comma-separated values after the
 * `filterlog[pid]:` (or `filterlog:`) tag of an RFC 3164 header, or after `filterlog PID MSGID SD`
 * in an RFC 5424 one (Netgate, "Raw Filter Log Format"; OPNsense writes the same layout):
 *
 *   <134>May 20 10:00:00 filterlog[51577]: 5,,,1000000103,igb1,match,block,in,4,0x0,,64,0,0,DF,6,tcp,40,
 *     203.0.113.10,198.51.100.7,443,50000,0,R,1001,,0,,
 *
 * Common fields: rule number, sub-rule, anchor, tracker (the rule's id), real interface, reason
 * (`match`, or pf's drop reason such as `state-mismatch`), action (`pass`, `block`, `reject`),
 * direction (`in`/`out`), IP version. IPv4 then: TOS, ECN, TTL, id, offset, IP flags, protocol id,
 * protocol name; IPv6: class, flow label, hop limit, protocol name, protocol id. Both: length,
 * source, destination. TCP then: source port, destination port, data length, TCP flags (letters
 * `FSRPAUEC`, `W` also for CWR), sequence `seq` or `seq:seq+len`, ack, window, urg, options; UDP:
 * ports and data length; other protocols: their own fields (not read).
 *
 * pf logs packets, not sessions: it writes no line when it creates or removes a state. pf evaluates
 * its rules only for a packet no state matched, so a blocked TCP packet that is not a connection's
 * opening SYN had no state: the state pf dropped (after the FINs, a RST or a timeout) is why it was
 * blocked. Such a packet is 'deny-no-conn' (the ASA's 106015); a blocked SYN (or any blocked
 * packet of another protocol) is 'deny' (by policy); a logged `pass` is 'permit'.
 */
import { isIPv6 } from 'node:net';
import { ACK, CWR, ECE, FIN, PSH, RST, SYN, URG } from '../model.js';
import type { AsaFields, FwEndpoint } from './asa.js';
import { v4Number } from './fw-chunk.js';
import { flagWords } from './fw-flags.js';
import { stripControl } from './syslog-envelope.js';
import type { ReasonTable, VendorLine, VendorReader } from './vendors.js';

/** `filterlog` as a program name: after a space, `>` or the line's start, followed by `[pid]`, `:` or a space */
const TAG = /(?:^|[\s>])filterlog(?:\[\d+\])?(?::| )/;

/** Flag letters as filterlog writes them (tcpdump's: `W` is CWR; OPNsense and rsttui write `C`). */
const FLAG_BITS: Readonly<Record<string, number>> = { F: FIN, S: SYN, R: RST, P: PSH, A: ACK, U: URG, E: ECE, C: CWR, W: CWR };

class Bad extends Error {}

/**
 * Where the message starts (the `filterlog` tag: the text before it is the syslog header) and where
 * its CSV starts, or null when the line has no filterlog tag in a shape this reader knows.
 */
export function findFilterlog(line: string): { at: number; csv: number } | null {
  for (let i = line.indexOf('filterlog'); i >= 0; i = line.indexOf('filterlog', i + 9)) {
    const prev = i === 0 ? 32 : line.charCodeAt(i - 1);
    if (prev !== 32 && prev !== 9 && prev !== 62) continue;
    let j = i + 9;
    if (line.charCodeAt(j) === 91) {
      const close = line.indexOf(']', j);
      if (close < 0 || !/^\d+$/.test(line.slice(j + 1, close))) continue;
      j = close + 1;
    }
    const c = line.charCodeAt(j);
    if (c === 58) {
      j++;
    } else if (c === 32) {
      // RFC 5424: APP-NAME PROCID MSGID STRUCTURED-DATA MSG
      j = token(line, token(line, j + 1));
      if (j < 0) continue;
      j = structuredData(line, j);
      if (j < 0) continue;
    } else continue;
    while (line.charCodeAt(j) === 32) j++;
    return { at: i, csv: j };
  }
  return null;
}

/** After the token at i and its one space; -1 if there is none. */
function token(line: string, i: number): number {
  if (i < 0 || i >= line.length || line.charCodeAt(i) === 32) return -1;
  const sp = line.indexOf(' ', i);
  return sp < 0 ? -1 : sp + 1;
}

/** After RFC 5424 structured data at i (`-` or `[...]` elements) and the space after it; -1 if none. */
function structuredData(line: string, i: number): number {
  if (line.charCodeAt(i) === 45) return line.charCodeAt(i + 1) === 32 ? i + 2 : i + 1 === line.length ? i + 1 : -1;
  while (line.charCodeAt(i) === 91) {
    let k = i + 1;
    let quoted = false;
    for (; k < line.length; k++) {
      const ch = line.charCodeAt(k);
      if (ch === 92) k++;
      else if (ch === 34) quoted = !quoted;
      else if (ch === 93 && !quoted) break;
    }
    if (k >= line.length) return -1;
    i = k + 1;
  }
  return line.charCodeAt(i) === 32 ? i + 1 : -1;
}

function ip(s: string | undefined, what: string): string {
  if (s !== undefined) {
    if (v4Number(s) >= 0) return s;
    if (isIPv6(s)) return s.toLowerCase();
  }
  throw new Bad(`${what} is not an IP address: "${stripControl(s ?? '')}"`);
}

function port(s: string | undefined, what: string): number {
  const n = s !== undefined && s !== '' && s.length <= 5 && /^\d+$/.test(s) ? Number(s) : NaN;
  if (!(n <= 65535)) throw new Bad(`${what} is not a port: "${stripControl(s ?? '')}"`);
  return n;
}

/** TCP flag bits of filterlog's letters. */
export function pfFlags(s: string): number {
  let f = 0;
  for (const ch of s) {
    const b = FLAG_BITS[ch];
    if (b === undefined) throw new Bad(`unknown TCP flag "${stripControl(ch)}" in "${stripControl(s)}"`);
    f |= b;
  }
  return f;
}

/** `seq` or `seq:seq+len` (empty where the packet's flags carry none). */
function checkSeq(s: string | undefined): void {
  if (s === undefined || s === '') return;
  if (!/^\d{1,10}(?::\d{1,10})?$/.test(s)) throw new Bad(`sequence number "${stripControl(s)}" is neither seq nor seq:seq+len`);
}

/** The fields of one filterlog CSV (without the tag). */
export function parseFilterlog(csv: string): AsaFields {
  const f = csv.split(',');
  if (f.length < 9) throw new Bad(`${f.length} fields, fewer than filterlog's 9 common ones`);
  const iface = stripControl(f[4]!.trim());
  const action = f[6]!;
  const dir = f[7]!;
  if (dir !== 'in' && dir !== 'out') throw new Bad(`direction "${stripControl(dir)}" is neither in nor out`);
  const ver = f[8]!;
  let protoId: string, protoName: string, at: number;
  if (ver === '4') {
    if (f.length < 20) throw new Bad(`${f.length} fields, fewer than an IPv4 line's 20`);
    protoId = f[15]!;
    protoName = f[16]!;
    at = 18;
  } else if (ver === '6') {
    if (f.length < 17) throw new Bad(`${f.length} fields, fewer than an IPv6 line's 17`);
    protoName = f[12]!;
    protoId = f[13]!;
    at = 15;
  } else throw new Bad(`IP version "${stripControl(ver)}" is neither 4 nor 6`);
  const src: FwEndpoint = { addr: ip(f[at], 'source') };
  const dst: FwEndpoint = { addr: ip(f[at + 1], 'destination') };
  let proto = protoName.trim().toLowerCase();
  if (proto === 'ipv6-icmp') proto = 'icmp6';
  const out: AsaFields = { kind: 'other', proto, src, dst };
  if (iface !== '') out.iface = iface;
  const p = at + 2;
  let flags = -1;
  if (protoId === '6' || protoId === '17') {
    if (f.length < p + 3) throw new Bad(`a ${proto} line without ports and data length`);
    src.port = port(f[p], 'source port');
    dst.port = port(f[p + 1], 'destination port');
    if (protoId === '6') {
      if (f.length < p + 5) throw new Bad('a TCP line without flags and sequence number');
      flags = pfFlags(f[p + 3]!.trim());
      checkSeq(f[p + 4]!.trim());
      out.tcpFlags = flags;
      out.flagText = flagWords(flags);
    }
  }
  if (action === 'pass') out.kind = 'permit';
  else if (action === 'block' || action === 'reject') {
    // (a TCP packet that is not an opening SYN reached the rules because no state matched it)
    out.kind = flags >= 0 && !((flags & SYN) !== 0 && (flags & ACK) === 0) ? 'deny-no-conn' : 'deny';
  }
  return out;
}

/** pf writes no session end: it has no teardown reasons. */
export const PF_REASONS: ReasonTable = {};

export const pfReader: VendorReader = {
  vendor: 'pf',
  tag: TAG,
  reasons: PF_REASONS,
  parse(line: string): VendorLine | { error: string } | null {
    const found = findFilterlog(line);
    if (found === null) return null;
    let fields: AsaFields;
    try {
      fields = parseFilterlog(line.slice(found.csv).trimEnd());
    } catch (e) {
      if (e instanceof Bad) return { error: e.message };
      throw e;
    }
    return { vendor: 'pf', msgid: 0, severity: 6, at: found.at, body: stripControl(line.slice(found.at)).trim(), fields };
  },
};
