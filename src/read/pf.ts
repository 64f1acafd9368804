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

/** what stripControl removes or replaces (most lines have none of it: they are not copied) */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

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
      let k = j + 1;
      while (k < line.length && line.charCodeAt(k) >= 48 && line.charCodeAt(k) <= 57) k++;
      if (k === j + 1 || line.charCodeAt(k) !== 93) continue;
      j = k + 1;
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

function ip(s: string, what: string): string {
  if (v4Number(s) >= 0) return s;
  if (isIPv6(s)) return s.toLowerCase();
  throw new Bad(`${what} is not an IP address: "${stripControl(s)}"`);
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

/**
 * Field k of the CSV being read is s[pos[k], pos[k + 1] - 1) (found with indexOf: the lines are
 * read field by field without splitting them, most fields are never cut out).
 */
const pos = new Int32Array(66);
let nf = 0;
let cs = '';

function fieldsOf(s: string, start: number, end: number): void {
  cs = s;
  nf = 0;
  pos[nf++] = start;
  for (let i = s.indexOf(',', start); i >= 0 && i < end && nf < 64; i = s.indexOf(',', i + 1)) pos[nf++] = i + 1;
  pos[nf] = end + 1;
}
const fld = (k: number): string => cs.slice(pos[k]!, pos[k + 1]! - 1);
const len = (k: number): number => pos[k + 1]! - 1 - pos[k]!;
const ch = (k: number, i = 0): number => cs.charCodeAt(pos[k]! + i);
/** whether field k is the word w */
const is = (k: number, w: string): boolean => len(k) === w.length && cs.startsWith(w, pos[k]!);

/** Field k as a number of at most `digits` digits, -1 if it is not one. */
function num(k: number, digits: number): number {
  const n = len(k);
  if (n === 0 || n > digits) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = ch(k, i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function port(k: number, what: string): number {
  const v = num(k, 5);
  if (v < 0 || v > 65535) throw new Bad(`${what} is not a port: "${stripControl(fld(k))}"`);
  return v;
}

/** `seq` or `seq:seq+len` (empty where the packet's flags carry none). */
function checkSeq(k: number): void {
  const n = len(k);
  let digits = 0, colons = 0;
  for (let i = 0; i < n; i++) {
    const c = ch(k, i);
    if (c >= 48 && c <= 57) {
      if (++digits > 10) break;
    } else if (c === 58 && digits > 0 && colons === 0) {
      colons++;
      digits = 0;
    } else {
      digits = 0;
      break;
    }
  }
  if (n > 0 && (digits === 0 || digits > 10)) throw new Bad(`sequence number "${stripControl(fld(k))}" is neither seq nor seq:seq+len`);
}

/** The fields of the filterlog CSV at line[start, end). */
export function parseFilterlog(line: string, start = 0, end = line.length): AsaFields {
  fieldsOf(line, start, end);
  try {
    return readFields();
  } finally {
    cs = '';
  }
}

function readFields(): AsaFields {
  if (nf < 9) throw new Bad(`${nf} fields, fewer than filterlog's 9 common ones`);
  const out: AsaFields = { kind: 'other' };
  if (is(7, 'in') || is(7, 'out')) {
    // (checked, not kept: src and dst are the packet's whichever way it went)
  } else throw new Bad(`direction "${stripControl(fld(7))}" is neither in nor out`);
  let protoId: number, nameAt: number, at: number;
  if (is(8, '4')) {
    if (nf < 20) throw new Bad(`${nf} fields, fewer than an IPv4 line's 20`);
    protoId = num(15, 3);
    nameAt = 16;
    at = 18;
  } else if (is(8, '6')) {
    if (nf < 17) throw new Bad(`${nf} fields, fewer than an IPv6 line's 17`);
    protoId = num(13, 3);
    nameAt = 12;
    at = 15;
  } else throw new Bad(`IP version "${stripControl(fld(8))}" is neither 4 nor 6`);
  const src: FwEndpoint = { addr: ip(fld(at), 'source') };
  const dst: FwEndpoint = { addr: ip(fld(at + 1), 'destination') };
  out.proto = protoId === 6 ? 'tcp' : protoId === 17 ? 'udp' : protoId === 1 ? 'icmp' : protoId === 58 ? 'icmp6' : stripControl(fld(nameAt).trim().toLowerCase());
  out.src = src;
  out.dst = dst;
  if (len(4) > 0) out.iface = stripControl(fld(4).trim());
  const p = at + 2;
  let flags = -1;
  if (protoId === 6 || protoId === 17) {
    if (nf < p + 3) throw new Bad(`a ${out.proto} line without ports and data length`);
    src.port = port(p, 'source port');
    dst.port = port(p + 1, 'destination port');
    if (protoId === 6) {
      if (nf < p + 5) throw new Bad('a TCP line without flags and sequence number');
      flags = pfFlags(fld(p + 3));
      checkSeq(p + 4);
      out.tcpFlags = flags;
      out.flagText = flagWords(flags);
    }
  }
  if (is(6, 'pass')) out.kind = 'permit';
  else if (is(6, 'block') || is(6, 'reject')) {
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
      let end = line.length;
      while (end > found.csv && line.charCodeAt(end - 1) <= 32) end--;
      fields = parseFilterlog(line, found.csv, end);
    } catch (e) {
      if (e instanceof Bad) return { error: e.message };
      throw e;
    }
    let body = line.slice(found.at);
    if (CONTROL.test(body)) body = stripControl(body);
    return { vendor: 'pf', msgid: 0, severity: 6, at: found.at, body: body.trim(), fields };
  },
};
