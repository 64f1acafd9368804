/**
 * The byte readers' primitives (asa-bytes.ts reads ASA bodies with them): the line being read
 * (`ln`: its bytes, its end, where the last item read ends, the last IPv4 address read) and
 * literals, numbers, addresses, TCP flag words read from it, each exactly as asa-scan.ts reads
 * them from a string. The line is kept in locals in the loops: a property or module binding is
 * loaded again at every use.
 */
import { ACK, CWR, ECE, FIN, PSH, RST, SYN, URG } from '../model.js';

/**
 * The line: bytes b[.., e); `p` where the last item read ends; `v4` the address v4() read last,
 * as a signed 32-bit number (a Uint32Array column stores its bits; a number above 2^30 returned
 * would be boxed); `odd` set when something read is not written as its value would be written
 * again (a number with a leading zero, minutes or seconds above 59; the reader sets it for its own
 * cases): the body is then not rendered from the columns (fw-chunk.ts TEXT_CANON).
 */
export const ln = { b: new Uint8Array(0) as Uint8Array, e: 0, p: 0, v4: 0, odd: false };

/** The byte at i, -1 at or past the line's end. */
export const c = (i: number): number => (i < ln.e ? ln.b[i]! : -1);

/** A literal's bytes. */
export const bytes = (t: string): Uint8Array => Uint8Array.from(t, (ch) => ch.charCodeAt(0));

/** Whether the literal t is at i. */
export function is(t: Uint8Array, i: number): boolean {
  // (the line in locals: a module binding is loaded and checked at every use)
  const b = ln.b;
  const n = t.length;
  if (i + n > ln.e) return false;
  for (let k = 0; k < n; k++) if (b[i + k] !== t[k]) return false;
  return true;
}

/** Spaces from i on: where they end. */
export function spaces(i: number): number {
  const b = ln.b;
  const e = ln.e;
  while (i < e && b[i] === 32) i++;
  return i;
}

/** Decimal digits at i (1-15 of them), -1 if none; ln.p after them (as asa-scan.ts uint). */
export function uint(i: number): number {
  const b = ln.b;
  const e = ln.e;
  let v = 0;
  let k = i;
  for (; k < e; k++) {
    const x = b[k]! - 48;
    if (x < 0 || x > 9) break;
    v = v * 10 + x;
  }
  if (k === i || k - i > 15) return -1;
  if (b[i] === 48 && k - i > 1) ln.odd = true;
  ln.p = k;
  return v;
}


/**
 * A dotted quad at i as addrSeg reads it (four parts 0-255, no leading zeros), then no character
 * that could carry on an address (else: IPv6 or not an address, the string path's), into ln.v4;
 * false if not that. ln.p after it. (Not a number returned: one above 2^30 would be boxed.)
 */
export function v4(i: number): boolean {
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  let k = i;
  const b = ln.b;
  const e = ln.e;
  for (;; k++) {
    const x = k < e ? b[k]! : -1;
    if (x >= 48 && x <= 57) {
      if (digits === 1 && part === 0) return false;
      part = part * 10 + x - 48;
      if (++digits > 3 || part > 255) return false;
    } else if (x === 46) {
      if (digits === 0 || ++dots > 3) return false;
      v = (v << 8) | part;
      part = digits = 0;
    } else if (x === 58 || (x >= 65 && x <= 70) || (x >= 97 && x <= 102)) return false;
    else break;
  }
  if (dots !== 3 || digits === 0) return false;
  ln.p = k;
  ln.v4 = (v << 8) | part;
  return true;
}

/** `h:mm:ss` at i in seconds (as asa-scan.ts hmsAt), -1 if not there; ln.p after it. */
export function hms(i: number): number {
  const h = uint(i);
  const p = ln.p;
  if (h < 0 || c(p) !== 58) return -1;
  const m = d2(p + 1);
  const s = d2(p + 4);
  const n = c(p + 6);
  if (m < 0 || s < 0 || c(p + 3) !== 58 || (n >= 48 && n <= 57)) return -1;
  if (m > 59 || s > 59) ln.odd = true;
  ln.p = p + 6;
  return h * 3600 + m * 60 + s;
}

function d2(i: number): number {
  const a = c(i) - 48;
  const b = c(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Where byte x is next from i on, -1 if not in the line. */
export function find(x: number, i: number): number {
  const b = ln.b;
  const e = ln.e;
  for (; i < e; i++) if (b[i] === x) return i;
  return -1;
}

/** Where the literal t is next from i on, -1 if not. */
export function findLit(t: Uint8Array, i: number): number {
  for (let k = find(t[0]!, i); k >= 0; k = find(t[0]!, k + 1)) if (is(t, k)) return k;
  return -1;
}


/** Bits of the TCP flag word written in capitals at i (3 letters), -1 if none (asa-scan.ts flagAt). */
export function flagAt(i: number): number {
  switch ((c(i) << 16) | (c(i + 1) << 8) | c(i + 2)) {
    case 0x46494e: return FIN; case 0x53594e: return SYN; case 0x525354: return RST; case 0x505348: return PSH;
    case 0x41434b: return ACK; case 0x555247: return URG; case 0x454345: return ECE; case 0x435752: return CWR;
    default: return -1;
  }
}

/** `0x<hex>` at i: where it ends, -1 if not there. */
export function hexAt(i: number): number {
  if (c(i) !== 48 || c(i + 1) !== 120) return -1;
  let k = i + 2;
  for (let x = c(k); (x >= 48 && x <= 57) || (x >= 65 && x <= 70) || (x >= 97 && x <= 102); x = c(k)) k++;
  return k === i + 2 ? -1 : k;
}
