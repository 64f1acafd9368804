/**
 * Token readers of the hand-written body scanner (asa-fast.ts), and the helpers the scanner
 * shares with the regex path (asa.ts): TCP flag words, `(user)` groups, `iface(natRule)`,
 * canonical reasons.
 *
 * Speed notes (V8 in Node 20, measured): a JavaScript charCodeAt loop costs ~30 instructions a
 * character on a flat string and ~45 on a slice of one, and every body is a slice of the block
 * the reader read. `startsWith` with a literal is compiled into such a loop, while
 * `indexOf(literal, i) === i` runs natively and is about twice as fast (a short literal: a slice
 * compared with ===). So the readers find the structure with indexOf, read characters themselves
 * only in numbers and addresses (an address on its own short slice, which V8 copies flat), and
 * build each object in one literal.
 */
import { ACK, CWR, ECE, FIN, PSH, RST, SYN, URG } from '../model.js';
import { canonicalReason } from './asa-reasons.js';
import type { AsaFields, FwEndpoint } from './asa.js';
import { isIPv6 } from 'node:net';

export const FLAG_BITS: Readonly<Record<string, number>> = { FIN, SYN, RST, PSH, ACK, URG, ECE, CWR };

/** Parse `RST`, `FIN PSH ACK` ... into bits; undefined if a word is not a flag. */
export function parseFlagWords(s: string): number | undefined {
  let f = 0;
  for (const w of s.trim().split(/\s+/)) {
    if (w === '') continue;
    const b = FLAG_BITS[w.toUpperCase()];
    if (b === undefined) return undefined;
    f |= b;
  }
  return f;
}

/** `(a)(b)` -> ['a', 'b'] */
export function groups(s: string | undefined): string[] {
  if (!s) return [];
  const out: string[] = [];
  for (const m of s.matchAll(/\(([^)]*)\)/g)) out.push(m[1]!.trim());
  return out;
}

/** `Outside(Inside_nat_outbound)` -> iface + NAT rule */
export function ifaceOf(ep: FwEndpoint, raw: string | undefined): void {
  if (raw === undefined || raw === '') return;
  const m = /^(.*?)\(([^)]*)\)\s*$/.exec(raw.trim());
  if (m) {
    ep.iface = m[1]!.trim();
    ep.natRule = m[2];
  } else ep.iface = raw.trim();
}

/** Canonical reason spellings already looked up (a log has few distinct ones), and the last one. */
const REASONS = new Map<string, string>();
let lastRaw = '';
let lastReason = '';

/** The canonical spelling of a teardown reason as written, or the reason as written. */
export function reasonOf(raw: string): string {
  if (raw === lastRaw) return lastReason;
  lastRaw = raw;
  let r = REASONS.get(raw);
  if (r === undefined) {
    r = canonicalReason(raw) ?? raw;
    if (REASONS.size > 1000) REASONS.clear();
    REASONS.set(raw, r);
  }
  return (lastReason = r);
}

// ---------------------------------------------------------------- the scanner's state and readers

/**
 * The body being read (`s`), where the last item read ends (`p`), the first two `(user)` groups
 * after the last endpoint read (`u0`, `u1`).
 */
export const sc = { s: '', p: 0, u0: undefined as string | undefined, u1: undefined as string | undefined };

/**
 * Whether the literal `t` is at i. (Short ones compared as a slice, long ones by indexOf, its
 * first character compared first so that a miss costs no search: both measured fastest.)
 */
export function is(t: string, i: number): boolean {
  const s = sc.s;
  if (t.length < 8) return s.slice(i, i + t.length) === t;
  return i < s.length && s.charCodeAt(i) === t.charCodeAt(0) && s.indexOf(t, i) === i;
}

/** The character at i, -1 past the end. */
export function at(i: number): number {
  const s = sc.s;
  return i < s.length ? s.charCodeAt(i) : -1;
}

/** Spaces from i on: where they end. */
export function spaces(i: number): number {
  const s = sc.s;
  while (i < s.length && s.charCodeAt(i) === 32) i++;
  return i;
}

const NOT_PRINTABLE = /[^\x20-\x7e]/g;

/** Whether the body has only printable ASCII in [i, e) (no other white space, no line terminators). */
export function printable(i: number, e: number): boolean {
  const s = sc.s;
  if (e - i < 24) {
    // (the regex would read on to the end of the body)
    for (let k = i; k < e; k++) {
      const c = s.charCodeAt(k);
      if (c < 32 || c > 126) return false;
    }
    return true;
  }
  NOT_PRINTABLE.lastIndex = i;
  return !NOT_PRINTABLE.test(s) || NOT_PRINTABLE.lastIndex > e;
}

/** Decimal digits at i (1-15 of them), -1 if none; p after them. */
export function uint(i: number): number {
  const s = sc.s;
  const n = s.length;
  let v = 0;
  let k = i;
  while (k < n) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
    k++;
  }
  if (k === i || k - i > 15) return -1;
  sc.p = k;
  return v;
}

/**
 * s[i, e) as an address (the regexes' `[0-9A-Fa-f.:]+`, whole), valid (IPv4 as node's isIPv4
 * reads it: four parts 0-255 without leading zeros; IPv6 by isIPv6), in lower case; undefined if not.
 */
export function addrSeg(i: number, e: number): string | undefined {
  if (e <= i) return undefined;
  const a = sc.s.slice(i, e);
  let parts = 0;
  let digits = 0;
  let v = 0;
  let ok = true;
  for (let k = 0; k < a.length; k++) {
    const c = a.charCodeAt(k);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && v === 0) ok = false; // a leading zero
      v = v * 10 + c - 48;
      digits++;
    } else if (c === 46) {
      if (digits === 0 || v > 255) ok = false;
      parts++;
      digits = v = 0;
    } else if (c === 58 || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)) return addr6(a);
    else return undefined;
  }
  return ok && parts === 3 && digits > 0 && v <= 255 ? a : undefined;
}

function addr6(a: string): string | undefined {
  for (let k = 0; k < a.length; k++) {
    const c = a.charCodeAt(k);
    if (!((c >= 48 && c <= 58) || c === 46 || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return undefined;
  }
  return isIPv6(a) ? a.toLowerCase() : undefined;
}

/** The address at i up to the first character that cannot be in one; p after it. */
export function addrRun(i: number): string | undefined {
  const s = sc.s;
  const n = s.length;
  let k = i;
  while (k < n) {
    const c = s.charCodeAt(k);
    if (!((c >= 48 && c <= 58) || c === 46 || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) break;
    k++;
  }
  sc.p = k;
  return addrSeg(i, k);
}

/**
 * `[ (user)]...` groups at i (the regexes' USERS): p after the last one, their first two contents
 * in u0 / u1; false when a group is there that the fast path does not read the same way. A
 * `(type N` group (ICMP, not a user) ends the groups.
 */
export function usersAt(i: number): boolean {
  const s = sc.s;
  sc.u0 = sc.u1 = undefined;
  sc.p = i;
  for (let n = 0; ; n++) {
    const j = spaces(sc.p);
    if (j >= s.length || s.charCodeAt(j) !== 40) return true;
    if (/^type \d/i.test(s.slice(j + 1, j + 7))) return true;
    const close = s.indexOf(')', j);
    if (close < 0) return false;
    const slash = s.indexOf('/', j);
    const open = s.indexOf('(', j + 1);
    if ((slash >= 0 && slash < close) || (open >= 0 && open < close)) return false;
    if (n === 0) sc.u0 = s.slice(j + 1, close).trim();
    else if (n === 1) sc.u1 = s.slice(j + 1, close).trim();
    sc.p = close + 1;
  }
}

/** The interface s[i, k) as the regex path's ifaceOf sets it, into ep. */
function ifaceInto(ep: FwEndpoint, i: number, k: number): void {
  const raw = sc.s.slice(i, k);
  const c = raw.charCodeAt(0);
  const e = raw.charCodeAt(raw.length - 1);
  // not ending in `)`: no NAT rule; printable ends: nothing to trim (else ifaceOf, which always sets iface)
  if (c > 32 && c < 127 && e > 32 && e < 127 && e !== 41) ep.iface = raw;
  else ifaceOf(ep, raw);
}

/**
 * `IF:addr/port[ (mapped/port)][ (user)]...` at i (the regexes' EP, the interface up to the first
 * `:`); p after it.
 */
export function endpointAt(i: number): FwEndpoint | undefined {
  const s = sc.s;
  const colon = s.indexOf(':', i);
  if (colon <= i) return undefined;
  const slash = s.indexOf('/', colon);
  const addr = addrSeg(colon + 1, slash);
  const port = addr === undefined ? -1 : uint(slash + 1);
  if (port < 0) return undefined;
  // the common case: ` to ...`, ` duration ...` or the end (no mapped part, no user)
  const c1 = at(sc.p);
  const c2 = at(sc.p + 1);
  if (c1 < 0 || (c1 === 32 && c2 !== 32 && c2 !== 40)) {
    const ep: FwEndpoint = { iface: '', addr: addr!, port };
    ifaceInto(ep, i, colon);
    sc.u0 = sc.u1 = undefined;
    return ep;
  }
  const j = spaces(sc.p);
  let ep: FwEndpoint;
  if (at(j) === 40) {
    // `(mapped/port)` (a user group, which cannot hold a `/`, or anything else: the regexes read it)
    const ms = s.indexOf('/', j);
    const mappedAddr = addrSeg(j + 1, ms);
    const mappedPort = mappedAddr === undefined ? -1 : uint(ms + 1);
    if (mappedPort < 0 || at(sc.p) !== 41) return undefined;
    sc.p++;
    ep = { iface: '', addr: addr!, port, mappedAddr: mappedAddr!, mappedPort };
  } else ep = { iface: '', addr: addr!, port };
  ifaceInto(ep, i, colon);
  return usersAt(sc.p) ? ep : undefined;
}

/** `IF:addr[/port]` (106023 with `port`, 609001/2) at i into an endpoint; p after it. */
export function hostAt(i: number, port: boolean): FwEndpoint | undefined {
  const colon = sc.s.indexOf(':', i);
  if (colon <= i) return undefined;
  const addr = addrRun(colon + 1);
  if (addr === undefined) return undefined;
  let ep: FwEndpoint;
  if (port && at(sc.p) === 47) {
    const n = uint(sc.p + 1);
    if (n < 0) return undefined;
    ep = { iface: '', addr, port: n };
  } else ep = { iface: '', addr };
  ifaceInto(ep, i, colon);
  return ep;
}

/** `h:mm:ss` at i in seconds, -1 if not there; p after it. */
export function hmsAt(i: number): number {
  const h = uint(i);
  const p = sc.p;
  if (h < 0 || at(p) !== 58) return -1;
  const m = two(p + 1);
  const sec = two(p + 4);
  if (m < 0 || sec < 0 || at(p + 3) !== 58 || (at(p + 6) >= 48 && at(p + 6) <= 57)) return -1;
  sc.p = p + 6;
  return h * 3600 + m * 60 + sec;
}

function two(i: number): number {
  const a = at(i) - 48;
  const b = at(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** `[ [0x.., 0x..]]` then the end at i into out.hashes; false if something else is there. */
export function hashesToEnd(i: number, out: AsaFields): boolean {
  const s = sc.s;
  const j = spaces(i);
  if (j === s.length) return true;
  if (s.charCodeAt(j) !== 91) return false;
  const a = hexAt(j + 1);
  if (a < 0 || at(a) !== 44) return false;
  const k = spaces(a + 1);
  const b = hexAt(k);
  if (b < 0 || b + 1 !== s.length || at(b) !== 93) return false;
  out.hashes = [s.slice(j + 1, a), s.slice(k, b)];
  return true;
}

/** End of `0x<hex digits>` at i, -1 if not there. */
function hexAt(i: number): number {
  const s = sc.s;
  if (at(i) !== 48 || at(i + 1) !== 120) return -1;
  let k = i + 2;
  while (k < s.length) {
    const c = s.charCodeAt(k);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) break;
    k++;
  }
  return k === i + 2 ? -1 : k;
}

/** Bits of the TCP flag word written in capitals at i (3 letters), -1 if none. */
function flagAt(i: number): number {
  switch ((at(i) << 16) | (at(i + 1) << 8) | at(i + 2)) {
    case 0x46494e: return FIN; case 0x53594e: return SYN; case 0x525354: return RST; case 0x505348: return PSH;
    case 0x41434b: return ACK; case 0x555247: return URG; case 0x454345: return ECE; case 0x435752: return CWR;
    default: return -1;
  }
}

/** TCP flag words in s[i, e) (capitals, space separated) into out; false for anything else. */
export function flagsInto(out: AsaFields, i: number, e: number): boolean {
  const s = sc.s;
  let f = 0;
  let k = i;
  while (k < e && s.charCodeAt(k) === 32) k++;
  while (k < e) {
    let w = s.indexOf(' ', k);
    if (w < 0 || w > e) w = e;
    const b = w - k === 3 ? flagAt(k) : -1;
    if (b < 0) return false;
    f |= b;
    k = w;
    while (k < e && s.charCodeAt(k) === 32) k++;
  }
  const t = s.slice(i, e).trim();
  out.tcpFlags = f;
  out.flagText = t.indexOf('  ') >= 0 ? t.replace(/\s+/g, ' ') : t;
  return true;
}
